import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CaFileError, readCaPem } from '../../../lib/net/tls.js';
import { mpasAgentWithCa } from '../../../lib/sources/mpas/mpas-agent.js';
import { readSinkCaFile } from '../../../lib/sinks/sink-agent.js';
import { SinkConfigError } from '../../../lib/sinks/sink-errors.js';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ca-file-'));
  dirs.push(dir);
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('a private CA file', () => {
  it('is read as PEM text', () => {
    expect(readCaPem(file('ca.pem', PEM))).toBe(PEM);
  });

  it('says what is wrong with it, and each caller names its own setting', () => {
    const missing = join(tmpdir(), 'no-such-dir-for-ca', 'ca.pem');
    const notPem = file('ca.txt', 'not a certificate');
    expect(() => readCaPem(missing)).toThrow(new CaFileError(`cannot read ${missing} (ENOENT)`));
    expect(() => readCaPem(notPem)).toThrow(new CaFileError(`${notPem} holds no PEM certificate`));

    const sinkError = (() => {
      try {
        return readSinkCaFile(missing, 'syslog');
      } catch (error) {
        return error;
      }
    })();
    expect(sinkError).toBeInstanceOf(SinkConfigError);
    expect((sinkError as SinkConfigError).problems).toEqual([{ setting: 'caFile', message: `cannot read ${missing} (ENOENT)` }]);
    expect((sinkError as Error).message).toContain("the syslog sink's settings are invalid");
    expect((sinkError as Error).cause).toMatchObject({ code: 'ENOENT' });

    expect(() => mpasAgentWithCa(missing)).toThrow(new RangeError(`MPAS_CA_FILE (mpas.caFile): cannot read ${missing} (ENOENT)`));
    expect(() => mpasAgentWithCa(notPem)).toThrow(new RangeError(`MPAS_CA_FILE (mpas.caFile): ${notPem} holds no PEM certificate`));
  });
});
