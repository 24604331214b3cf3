import { formatDefinition } from '../../core/formats/format-registry.js';
import type { FormatName } from '../../core/formats/format-registry.js';
import { Severity } from '../../core/pipeline/severity.js';
import type { OutboundEvent } from '../sink.js';

/**
 * RFC 5424 facility 10, "security/authorization messages (private)": MPAS events are logins and
 * administrative changes, the same class of messages as sshd's and sudo's, which SIEM collectors
 * and relays (rsyslog's and syslog-ng's stock rules) already route as security logs; facility 13,
 * "log audit", is rarely produced and often falls through those rules unrouted.
 */
export const DEFAULT_SYSLOG_FACILITY = 10;

/** The fixed parts of every RFC 5424 header the sink writes. */
export interface SyslogHeader {
  /** 0-23 (RFC 5424 section 6.2.1). */
  facility: number;
  /** HOSTNAME: 1-255 printable US-ASCII characters, or `-`. */
  hostname: string;
  /** APP-NAME: 1-48 printable US-ASCII characters. */
  appName: string;
}

/** The RFC 5424 limits of the header fields the operator may set, with their names. */
export const SYSLOG_FIELD_LIMITS = { hostname: 255, appName: 48 } as const;

const PRINTUSASCII = /^[\x21-\x7e]+$/;

/** True when `value` may stand in a header field of at most `maxLength` characters. */
export function isSyslogHeaderField(value: string, maxLength: number): boolean {
  return value.length <= maxLength && PRINTUSASCII.test(value);
}

/**
 * The seed's 0-10 scale back to syslog's 0-7: the seed built its scale by inverting syslog's
 * levels (Emergency 10 ... Debug 2, Trace 1), so this inverts it again. The seed's additions have
 * no syslog level of their own: Trace (1) and 0 become Debug (7), and the unused 5 sits with
 * Notice (5), between Warning and Info as on the seed's scale.
 */
export function syslogSeverity(level: number): number {
  if (level >= Severity.Emergency) return 0;
  if (level === Severity.Alert) return 1;
  if (level === Severity.Critical) return 2;
  if (level === Severity.Error) return 3;
  if (level === Severity.Warning) return 4;
  if (level === 5 || level === Severity.Notice) return 5;
  if (level === Severity.Info) return 6;
  return 7;
}

/** RFC 5424 PRI: facility * 8 + severity. */
export function syslogPri(facility: number, severity: number): number {
  return facility * 8 + severity;
}

/**
 * The catalog severity (0-10) of an outbound event, read back from its payload as its format
 * says (format-registry.ts: a CEF header's seventh field, a JSON envelope's event looked up in the
 * catalog). An unreadable payload is Notice: it is still delivered, and a SIEM shows it rather
 * than filtering it out as debug noise.
 */
export function catalogSeverity(event: OutboundEvent, format: FormatName): number {
  return formatDefinition(format).readSeverity(event.payload, event.stream) ?? Severity.Notice;
}

/**
 * One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME - MSGID - MSG`, TIMESTAMP the
 * event's time (not the sending time, so a SIEM files a retried event where it happened), MSGID
 * the envelope's event type, no structured data, and the payload as MSG without a BOM: CEF
 * parsers (QRadar, ArcSight, FortiSIEM) expect the message to start with `CEF:`.
 */
export function syslogMessage(event: OutboundEvent, format: FormatName, header: SyslogHeader): string {
  const pri = syslogPri(header.facility, syslogSeverity(catalogSeverity(event, format)));
  const msgid = event.stream === 'user' ? 'user-event' : 'admin-event';
  return `<${pri}>1 ${new Date(event.time).toISOString()} ${header.hostname} ${header.appName} - ${msgid} - ${event.payload}`;
}

/** RFC 5425 octet counting: `MSG-LEN SP SYSLOG-MSG`, MSG-LEN the message's length in UTF-8 bytes. */
export function octetCountedFrame(message: string): Buffer {
  const body = Buffer.from(message, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}
