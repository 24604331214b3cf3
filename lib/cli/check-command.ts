import { ConfigError } from '../config/config-error.js';
import { describeConfig } from '../config/describe-config.js';
import { loadConfig } from '../config/load-config.js';
import { hideUrlSecrets } from '../config/url-secrets.js';
import { secretValuesOf } from '../local/config-secret-values.js';
import { runSetupChecks } from '../local/setup-checks.js';
import { hideSecrets } from '../net/secret-texts.js';
import type { CheckResult } from '../local/setup-checks.js';
import { VERSION } from '../version.js';
import type { Command } from './command.js';
import { ExitCode } from './exit-codes.js';
import { parseOptions } from './parse-options.js';

const USAGE = `usage: mpas-log-sync check [--config FILE] [--send-test-event] [--json]

Validates the configuration, then tries it for real, one line per check:
  config                      every setting, and everything run builds from them before it
                              starts: filters, field selections, redaction paths, SIEM sinks,
                              CA files (parsed as PEM), URLs; every problem at once, exit 2,
                              each named after its variable or file path (run refuses the same)
  state                       what run will find in the state directory: a cursor, a first
                              start, or a lost cursor (run refuses; run --start-over)
  mpas token                  the token endpoint with the configured grant and credentials
  mpas <realm> <stream> events  one events read (max=1) per realm and stream; a missing
                              view-events role is reported as such, with where to grant it;
                              also how long the realm keeps events (events/config), and WARN
                              when the local live cursor is older than half of that: Keycloak
                              deletes older events, and deleted events can no longer be read
  siem <type>                 each destination's own check (one line per route, the other
                              routes' lines end in "(route <name>)"): the generic HTTPS SIEM,
                              a HEAD with the configured credentials (a 401/403 means they are
                              wrong; nothing is stored); the other HTTP types, reachability
                              only; syslog, nothing without --send-test-event
Each line says ok, or what is wrong and which setting or role fixes it. Secrets are never shown.

  --config FILE        JSON config file (default: $MPAS_LOG_SYNC_CONFIG, else the environment only)
  --send-test-event    also store something at the SIEM: an empty JSON array for the generic
                       HTTPS SIEM, one test event (type MPAS_LOG_SYNC_CHECK) for the others
  --json               one JSON document { ok, checks: [{ check, ok, detail }] }, or with an
                       invalid configuration { ok: false, problems: [{ setting, message }] }

Exit codes: 0 every check passed, 1 a check failed, 2 the configuration is invalid.`;

/** `mpas-log-sync check`. */
export const checkCommand: Command = {
  summary: 'validate the config and try MPAS (token, events per realm) and the SIEM for real',
  usage: USAGE,
  async run(args, env, io) {
    const { values } = parseOptions(args, { config: { type: 'string' }, 'send-test-event': { type: 'boolean' }, json: { type: 'boolean' } });
    if (values.help) {
      io.out(USAGE);
      return ExitCode.ok;
    }
    let config;
    try {
      config = loadConfig({ env, configFile: values.config });
    } catch (error) {
      if (!(values.json && error instanceof ConfigError)) throw error;
      io.out(JSON.stringify({ ok: false, problems: error.problems }, null, 2));
      return ExitCode.usage;
    }
    // A check's detail may quote a URL or what a server answered: every secret of the config is
    // hidden by value (and a URL's credentials by shape) before anything is printed.
    const secrets = secretValuesOf(config);
    const cleaned = (result: CheckResult): CheckResult => ({ ...result, detail: hideUrlSecrets(hideSecrets(result.detail, secrets)) });
    const line = (result: CheckResult): string => `${result.warn ? 'WARN' : result.ok ? 'ok  ' : 'FAIL'}  ${result.check.padEnd(28)} ${result.detail.replace(/^ok: /, '')}`;
    const configResult: CheckResult = { check: 'config', ok: true, detail: `ok: tenant ${config.tenant}, realms ${config.mpas.realms.join(', ')}, SIEM ${config.siem.type} (${config.siem.format})` };
    if (!values.json) io.out(line(configResult));
    const results = await runSetupChecks(config, {
      version: VERSION,
      sendTestEvent: values['send-test-event'] === true,
      onResult: (result) => {
        if (!values.json) io.out(line(cleaned(result)));
      },
    });
    const all = [configResult, ...results].map(cleaned);
    const ok = all.every((result) => result.ok);
    if (values.json) io.out(JSON.stringify({ ok, config: describeConfig(config), checks: all }, null, 2));
    else {
      // A warning does not fail the check (nothing is wrong yet), but is counted where it cannot be missed.
      const warnings = all.filter((result) => result.warn).length;
      const warned = warnings > 0 ? `, ${warnings} warning(s)` : '';
      io.out(ok ? `\nall checks passed${warned}` : `\n${all.filter((result) => !result.ok).length} check(s) failed${warned}`);
    }
    return ok ? ExitCode.ok : ExitCode.failure;
  },
};
