import { Duration, Stack } from 'aws-cdk-lib';
import { CfnDatabase, CfnTable } from 'aws-cdk-lib/aws-glue';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IGrantable } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { LAMBDA_ENV_VARS } from '../../lib/config/lambda-settings.js';
import { bucketDefaults } from './secure-defaults.js';

/** The key prefix of the archived events: lib/archive/s3-archive.ts writes `<prefix>date=YYYY-MM-DD/<batch id>.ndjson.gz`. */
export const ARCHIVE_PREFIX = 'events/';
/** The Glue table's name: PAS 6.0's `audit_events`, as the report definitions name it. */
export const ARCHIVE_TABLE_NAME = 'audit_events';

/** Props of {@link EventArchive}. */
export interface EventArchiveProps {
  readonly tenant: string;
  /** The tenant's key: it encrypts the archive like the queues and tables. */
  readonly key: IKey;
  /** Days an archived object is kept, and how far back the table's date partitions reach. */
  readonly retentionDays: number;
}

/**
 * The event archive on S3 (PAS 6.0's event persistence, docs/origins.md): gzip NDJSON objects under daily
 * `date=YYYY-MM-DD/` partitions, deleted by a lifecycle rule after the retention, and a Glue
 * database and table over them that Athena queries without a crawler (partition projection).
 */
export class EventArchive extends Construct {
  /** The archive bucket, retained when the stack goes. */
  public readonly bucket: Bucket;
  /** The Glue database `mpas_log_sync_<tenant>`. */
  public readonly database: CfnDatabase;
  /** The table {@link ARCHIVE_TABLE_NAME} over `s3://<bucket>/events/`. */
  public readonly table: CfnTable;
  /** The Glue database's name (Glue allows no dash). */
  public readonly databaseName: string;
  private readonly key: IKey;

  constructor(scope: Construct, id: string, props: EventArchiveProps) {
    super(scope, id);
    this.key = props.key;
    this.bucket = new Bucket(this, 'Bucket', {
      ...bucketDefaults(props.key),
      lifecycleRules: [
        {
          id: 'expire-archived-events',
          prefix: ARCHIVE_PREFIX,
          expiration: Duration.days(props.retentionDays),
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });

    const account = Stack.of(this).account;
    this.databaseName = `mpas_log_sync_${props.tenant.replace(/-/g, '_')}`;
    this.database = new CfnDatabase(this, 'Database', {
      catalogId: account,
      databaseInput: { name: this.databaseName, description: `mpas-log-sync ${props.tenant}: the archived MPAS audit events` },
    });
    const location = `s3://${this.bucket.bucketName}/${ARCHIVE_PREFIX}`;
    this.table = new CfnTable(this, 'Table', {
      catalogId: account,
      // By reference, so CloudFormation makes the database first.
      databaseName: this.database.ref,
      tableInput: {
        name: ARCHIVE_TABLE_NAME,
        description: `mpas-log-sync ${props.tenant}: one row per archived event, after redaction`,
        tableType: 'EXTERNAL_TABLE',
        // The partition is named `day`: `date` is the event's time, a column of PAS 6.0's schema.
        partitionKeys: [{ name: 'day', type: 'string', comment: 'the UTC day of the event, yyyy-MM-dd (the object key\'s date=...)' }],
        parameters: {
          EXTERNAL: 'TRUE',
          classification: 'json',
          compressionType: 'gzip',
          // Partition projection: Athena computes the partitions from the query's `day` range,
          // so no crawler and no MSCK REPAIR TABLE after each new day.
          'projection.enabled': 'true',
          'projection.day.type': 'date',
          'projection.day.format': 'yyyy-MM-dd',
          'projection.day.range': `NOW-${props.retentionDays}DAYS,NOW`,
          'projection.day.interval': '1',
          'projection.day.interval.unit': 'DAYS',
          'storage.location.template': `${location}date=\${day}/`,
        },
        storageDescriptor: {
          location,
          compressed: true,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          // The Hive JSON SerDe (AWS advises it over OpenX's, whose results can vary); it
          // matches JSON keys case-insensitively, so `eventID` fills `eventid`.
          serdeInfo: {
            serializationLibrary: 'org.apache.hive.hcatalog.data.JsonSerDe',
            parameters: { 'timestamp.formats': "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'" },
          },
          columns: [
            { name: 'key', type: 'string', comment: 'the event\'s key (its id, or a hash of it): one event archived twice is one key' },
            { name: 'eventid', type: 'string', comment: 'eventID: the catalog\'s signature id, such as user_login_error' },
            { name: 'message', type: 'string', comment: 'the catalog\'s name, such as "User login failed"' },
            { name: 'host', type: 'string', comment: 'the realm' },
            { name: 'params', type: 'map<string,string>', comment: 'the CEF extension of the event (duser, src, act, ...), a JSON object of strings' },
            { name: 'date', type: 'timestamp', comment: 'the event\'s time (UTC)' },
          ],
        },
      },
    });
  }

  /** Lets `grantee` write archive objects, and nothing else: `s3:PutObject` under {@link ARCHIVE_PREFIX}. */
  grantWrite(grantee: IGrantable): void {
    grantee.grantPrincipal.addToPrincipalPolicy(
      new PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects(`${ARCHIVE_PREFIX}*`)] }),
    );
    // SSE-KMS: S3 asks for a data key in the writer's name.
    grantee.grantPrincipal.addToPrincipalPolicy(new PolicyStatement({ actions: ['kms:GenerateDataKey'], resources: [this.key.keyArn] }));
  }

  /** The forwarder's variables (lib/config/lambda-settings.ts): where to archive. */
  environment(): Record<string, string> {
    return { [LAMBDA_ENV_VARS.archiveBucket]: this.bucket.bucketName, [LAMBDA_ENV_VARS.archivePrefix]: ARCHIVE_PREFIX };
  }
}
