import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EVENT_DOCS_COMMAND, renderEventCatalog } from '../../../../lib/core/pipeline/render-event-catalog.js';

const docsPath = fileURLToPath(new URL('../../../../docs/events.md', import.meta.url));
const outOfDate = `docs/events.md is not what the event catalog generates: run \`${EVENT_DOCS_COMMAND}\` (npm run docs:events) and commit the result`;

function committedPage(): string {
  try {
    return readFileSync(docsPath, 'utf8');
  } catch {
    return '(docs/events.md is missing)';
  }
}

describe('renderEventCatalog', () => {
  it('matches the committed docs/events.md', () => {
    expect(committedPage(), outOfDate).toBe(renderEventCatalog());
  });

  it('lists every user event type, admin resource type and severity level', () => {
    const page = renderEventCatalog();
    for (const row of [
      '| LOGIN | user_login | User logged in |',
      '| USER_DISABLED_BY_TEMPORARY_LOCKOUT_ERROR | user_user_disabled_by_temporary_lockout_error |',
      '| ORGANIZATION_MEMBERSHIP | CREATE | admin_organization_membership_create |',
      '| REALM | DELETE | admin_realm_delete | Admin deleted realm | 8 (Critical) |',
      '| 6 | Warning | Warning conditions |',
    ]) {
      expect(page).toContain(row);
    }
  });

  it('renders the same page every time', () => {
    expect(renderEventCatalog()).toBe(renderEventCatalog());
  });
});
