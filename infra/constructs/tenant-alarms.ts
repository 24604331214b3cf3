import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import type { IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import type { ILogGroup } from 'aws-cdk-lib/aws-logs';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LOG_METRICS, METRICS_NAMESPACE, tenantQuery } from './metric-names.js';

/** Props of {@link TenantAlarms}. */
export interface TenantAlarmsProps {
  readonly tenant: string;
  /** The team mailbox the alarms are sent to. */
  readonly alarmEmail: string;
  /** Seconds of poll lag (LagSeconds) above which the lag alarm fires. */
  readonly lagAlarmSeconds: number;
  /** The tenant's key: the alarm topic is encrypted with it. */
  readonly key: IKey;
  readonly poller: IFunction;
  readonly pollerLogs: ILogGroup;
  readonly forwarderLogs: ILogGroup;
  readonly deadLetterQueue: IQueue;
  /** Whether the forwarder archives events (its Archive* metrics exist). @default false */
  readonly archive?: boolean;
  /**
   * Percent of a realm's event expiration that a stream's unread part may reach
   * (`CursorAgeOfExpiration`, lib/aws/cursor-expiry.ts) before the cursor-expiry alarm fires;
   * undefined: no such alarm. 50 leaves half the expiration to get the poller going again.
   */
  readonly cursorExpiryAlarmPercent?: number;
  /** The daily verification function (VerifierFunction), when the tenant has one: its `MissingEvents` and its errors are alarmed. */
  readonly verifier?: IFunction;
  /** The Security Lake compactor (LakeCompactorFunction), when the tenant has a lake: its errors are alarmed. */
  readonly lakeCompactor?: IFunction;
}

/**
 * The alarms an operator must act on, sent to an encrypted SNS topic with an e-mail
 * subscription (and again when each recovers): lag above the threshold, any message in the
 * dead-letter queue, poller errors, MPAS or SIEM refusing the credentials, with the event
 * archive, archive writes failing or archive records dropped, and, with a Security Lake
 * destination, the lake compactor failing.
 */
export class TenantAlarms extends Construct {
  /** The encrypted topic every alarm notifies. */
  public readonly topic: Topic;
  /** The newest event read is older than the threshold. */
  public readonly lag: Alarm;
  /** A message waits in the dead-letter queue. */
  public readonly deadLetters: Alarm;
  /** The poller failed. */
  public readonly pollerErrors: Alarm;
  /** MPAS refused the poller's credentials or role. */
  public readonly mpasAuth: Alarm;
  /** The SIEM refused the forwarder's credentials. */
  public readonly siemAuth: Alarm;
  /** The archive store refused a write (`ArchiveFailures`); undefined without the archive. */
  public readonly archiveFailures: Alarm | undefined;
  /** The archive buffer was full and records were dropped (`ArchiveRecordsDropped`); undefined without the archive. */
  public readonly archiveDropped: Alarm | undefined;
  /** Unread events are getting close to Keycloak's event expiration; undefined without `cursorExpiryAlarmPercent`. */
  public readonly cursorExpiry: Alarm | undefined;
  /** The daily verification found events MPAS holds that the archive lacks; undefined without a verifier. */
  public readonly missingEvents: Alarm | undefined;
  /** The daily verification failed; undefined without a verifier. */
  public readonly verifierErrors: Alarm | undefined;
  /** A Security Lake compaction failed; undefined without a lake. */
  public readonly lakeCompactorErrors: Alarm | undefined;
  private readonly tenant: string;

  constructor(scope: Construct, id: string, props: TenantAlarmsProps) {
    super(scope, id);
    const { tenant } = props;
    this.tenant = tenant;
    this.topic = new Topic(this, 'Topic', { displayName: `mpas-log-sync ${tenant} alarms`, masterKey: props.key, enforceSSL: true });
    this.topic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.topic);
    const atLeastOne = (alarmId: string, metric: IMetric, description: string): Alarm => {
      const alarm = new Alarm(this, alarmId, {
        metric,
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        // No data means nothing happened: the metrics are only written when something does.
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `mpas-log-sync ${tenant}: ${description}`,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      return alarm;
    };

    this.lag = new Alarm(this, 'Lag', {
      metric: tenantQuery(tenant, 'MAX', 'LagSeconds', Duration.minutes(5)),
      threshold: props.lagAlarmSeconds,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: `mpas-log-sync ${tenant}: the newest event read is more than ${props.lagAlarmSeconds} s old`,
    });
    this.lag.addAlarmAction(action);
    this.lag.addOkAction(action);

    this.deadLetters = atLeastOne(
      'DeadLetters',
      props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
      'messages are waiting in the dead-letter queue: read their reason, fix, redrive',
    );
    this.pollerErrors = atLeastOne(
      'PollerErrors',
      props.poller.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      'the poller failed (MPAS unreachable, a stream unreadable, or a crash): see its logs',
    );
    this.mpasAuth = atLeastOne('MpasAuth', this.logMetric('MpasAuthLines', props.pollerLogs, LOG_METRICS.mpasAuth), 'MPAS refused the poller (403: the user lacks view-events, or bad credentials): check the MPAS secret');
    this.siemAuth = atLeastOne('SiemAuth', this.logMetric('SiemAuthLines', props.forwarderLogs, LOG_METRICS.siemAuth), 'the SIEM refused the forwarder\'s credentials: check the SIEM secret');
    // The archive never holds up delivery, so its losses are only seen here (lib/aws/archive-metrics.ts).
    const archive = props.archive ?? false;
    this.archiveFailures = archive
      ? atLeastOne('ArchiveFailures', tenantQuery(tenant, 'SUM', 'ArchiveFailures', Duration.minutes(5)), 'the event archive refused writes (ArchiveFailures): events are missing from the archive, see the forwarder\'s logs')
      : undefined;
    this.archiveDropped = archive
      ? atLeastOne('ArchiveDropped', tenantQuery(tenant, 'SUM', 'ArchiveRecordsDropped', Duration.minutes(5)), 'the event archive buffer was full and records were dropped (ArchiveRecordsDropped): the archive is too slow for the volume')
      : undefined;
    const expiryPercent = props.cursorExpiryAlarmPercent;
    if (expiryPercent !== undefined && !(expiryPercent > 0 && expiryPercent < 100)) {
      throw new RangeError(`cursorExpiryAlarmPercent must be between 0 and 100 (exclusive), got ${expiryPercent}`);
    }
    if (expiryPercent !== undefined) {
      // No data (an expiration not set or unknown, or no poll ran) is not breaching: the poller-errors alarm covers a poller that does not run.
      this.cursorExpiry = new Alarm(this, 'CursorExpiry', {
        metric: tenantQuery(tenant, 'MAX', 'CursorAgeOfExpiration', Duration.minutes(5)),
        threshold: expiryPercent,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `mpas-log-sync ${tenant}: unread events are older than ${expiryPercent}% of the realm's event expiration; Keycloak deletes older events and deleted events can no longer be read: get the poller caught up`,
      });
      this.cursorExpiry.addAlarmAction(action);
      this.cursorExpiry.addOkAction(action);
    }
    if (props.verifier) {
      // Written once a day: a missing hour must neither clear nor raise it, so the state holds until the next day's answer.
      this.missingEvents = new Alarm(this, 'MissingEvents', {
        metric: tenantQuery(tenant, 'SUM', 'MissingEvents', Duration.hours(1)),
        threshold: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.IGNORE,
        alarmDescription: `mpas-log-sync ${tenant}: the daily verification found events MPAS holds that the archive lacks (MissingEvents): the verifier's log lists them; run mpas-log-sync verify for the day, then replay it`,
      });
      this.missingEvents.addAlarmAction(action);
      this.missingEvents.addOkAction(action);
      this.verifierErrors = atLeastOne('VerifierErrors', props.verifier.metricErrors({ period: Duration.hours(1), statistic: 'Sum' }), 'the daily verification failed (MPAS or the archive unreadable, or a timeout): the day is not verified, see its logs');
    }
    // Lambda's Errors and not LakeCompactionFailures alone: a timeout, a crash or a configuration the
    // compactor cannot load writes no metric of its own, and a failed compaction fails the invocation too.
    this.lakeCompactorErrors = props.lakeCompactor
      ? atLeastOne(
          'LakeCompactorErrors',
          props.lakeCompactor.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
          'the Security Lake compaction failed (LakeCompactionFailures, a timeout or a crash): staged events wait for the next run, which resumes it; see the lake compactor\'s logs',
        )
      : undefined;
  }

  /** A count of the log lines marked `"alarm": "<alarmField>"`, per tenant. */
  private logMetric(id: string, logGroup: ILogGroup, { alarmField, metricName }: { alarmField: string; metricName: string }): IMetric {
    const filter = new MetricFilter(this, id, {
      logGroup,
      filterPattern: FilterPattern.stringValue('$.alarm', '=', alarmField),
      metricNamespace: METRICS_NAMESPACE,
      metricName,
      metricValue: '1',
      dimensions: { tenant: '$.tenant' },
    });
    return filter.metric({ period: Duration.minutes(5), statistic: 'Sum', dimensionsMap: { tenant: this.tenant } });
  }
}
