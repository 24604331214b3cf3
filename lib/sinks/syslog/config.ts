import * as z from 'zod';
import { errorFor, intIn, oneOf, text, unionErrorFor } from '../../config/config-values.js';
import { FORMAT_NAMES } from '../../core/formats/format-registry.js';
import { objectError, sharedSinkOptions, siemCommonShape } from '../siem-common-config.js';
import { defineSinkType } from '../sink-type.js';
import { DEFAULT_SYSLOG_FACILITY, isSyslogHeaderField, SYSLOG_FIELD_LIMITS } from './syslog-framing.js';

/** RFC 5425's scheme for this sink's URL. */
export const SYSLOG_TLS_SCHEME = 'syslog+tls:';

/** `syslog+tls://host:port`, the scheme RFC 5425's port 6514 speaks; nothing else in it. */
const syslogUrl = z
  .string({ error: errorFor('must be syslog+tls://host:port') })
  .refine((value) => URL.canParse(value) && new URL(value).protocol === SYSLOG_TLS_SCHEME && new URL(value).hostname !== '', {
    error: 'must be syslog+tls://host:port (syslog over TLS, RFC 5425)',
  })
  .refine(
    (value) => {
      if (!URL.canParse(value)) return true;
      const url = new URL(value);
      return url.username === '' && url.password === '' && (url.pathname === '' || url.pathname === '/') && url.search === '';
    },
    { error: 'must be syslog+tls://host:port alone: no user, path or query' },
  );

/** An RFC 5424 header field: printable US-ASCII, no spaces, at most its limit of characters. */
const syslogField = (field: keyof typeof SYSLOG_FIELD_LIMITS) => {
  const max = SYSLOG_FIELD_LIMITS[field];
  const error = `must be 1 to ${max} printable ASCII characters without spaces`;
  return text(error).refine((value) => isSyslogHeaderField(value, max), { error });
};

/** Syslog over TLS for QRadar, ArcSight and FortiSIEM: no credentials, the server proven by its certificate. */
export const syslogSiemSchema = z.strictObject(
  {
    type: z.literal('syslog'),
    ...siemCommonShape,
    url: syslogUrl,
    // The three SIEMs it serves parse CEF out of the box.
    format: oneOf(FORMAT_NAMES).default('cef'),
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
          hostname: syslogField('hostname').optional(),
          appName: syslogField('appName').default('mpas-log-sync'),
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
export const syslogSinkType = defineSinkType('syslog', syslogSiemSchema, async (config) => {
  const { createSyslogTlsSink } = await import('./syslog-tls-sink.js');
  return createSyslogTlsSink({ ...sharedSinkOptions(config), ...config.syslog });
});
