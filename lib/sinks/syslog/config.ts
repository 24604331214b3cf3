import { z } from 'zod';
import { errorFor, intIn, oneOf, text, unionErrorFor } from '../../config/config-values.js';
import { objectError, sharedSinkOptions, siemCommonShape } from '../siem-common-config.js';
import { defineSinkType } from '../sink-type.js';
import { DEFAULT_SYSLOG_FACILITY } from './syslog-framing.js';
import { createSyslogTlsSink } from './syslog-tls-sink.js';

/** `syslog+tls://host:port`, the scheme RFC 5425's port 6514 speaks; nothing else in it. */
const syslogUrl = z.string({ error: errorFor('must be syslog+tls://host:port') }).refine(
  (value) => {
    if (!URL.canParse(value)) return false;
    const url = new URL(value);
    return url.protocol === 'syslog+tls:' && url.hostname !== '' && url.username === '' && url.password === '' && (url.pathname === '' || url.pathname === '/') && url.search === '';
  },
  { error: 'must be syslog+tls://host:port (syslog over TLS, RFC 5425), with no user, path or query' },
);

/** An RFC 5424 header field: printable US-ASCII, no spaces, at most `max` characters. */
const syslogField = (max: number) => text().regex(new RegExp(`^[\\x21-\\x7e]{1,${max}}$`), { error: `must be 1 to ${max} printable ASCII characters without spaces` });

/** Syslog over TLS for QRadar, ArcSight and FortiSIEM: no credentials, the server proven by its certificate. */
export const syslogSiemSchema = z.strictObject(
  {
    type: z.literal('syslog'),
    ...siemCommonShape,
    url: syslogUrl,
    // The three SIEMs it serves parse CEF out of the box.
    format: oneOf(['json', 'cef']).default('cef'),
    auth: z
      .discriminatedUnion('kind', [z.strictObject({ kind: z.literal('none') })], {
        error: unionErrorFor('must be none: syslog over TLS takes no credentials, the server is checked by its certificate (SIEM_CA_FILE)'),
      })
      .default({ kind: 'none' }),
    syslog: z
      .strictObject(
        {
          /** 10 (authpriv): see DEFAULT_SYSLOG_FACILITY. */
          facility: intIn(0, 23).default(DEFAULT_SYSLOG_FACILITY),
          /** Absent: the machine's host name. */
          hostname: syslogField(255).optional(),
          appName: syslogField(48).default('mpas-log-sync'),
          /** Latest bytes written that go again after a dropped connection. */
          resendBytes: intIn(0, 104_857_600).default(1_048_576),
        },
        objectError,
      )
      .prefault({}),
  },
  objectError,
);

/** The syslog SIEM type: its settings, and its sink built from them. */
export const syslogSinkType = defineSinkType('syslog', syslogSiemSchema, (config) =>
  createSyslogTlsSink({ ...sharedSinkOptions(config), ...config.syslog }),
);
