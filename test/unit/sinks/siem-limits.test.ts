import { describe, expect, it } from 'vitest';
import { DATADOG_LIMITS, ELASTIC_LIMITS, effectiveLimits, SENTINEL_LIMITS, SUMO_LOGIC_LIMITS, tooLargeReason } from '../../../lib/sinks/siem-limits.js';

describe('effectiveLimits', () => {
  it('keeps configured limits below the SIEM\'s, naming SIEM_MAX_BATCH_BYTES', () => {
    expect(effectiveLimits({ maxBatchEvents: 500, maxBatchBytes: 1_000_000 }, SENTINEL_LIMITS)).toEqual({
      maxBatchEvents: 500,
      maxBatchBytes: 1_000_000,
      maxEventBytes: 1_000_000,
      eventLimitName: 'the request limit (SIEM_MAX_BATCH_BYTES)',
    });
    expect(effectiveLimits({ maxBatchEvents: 7, maxBatchBytes: 2_000 })).toMatchObject({ maxBatchEvents: 7, maxBatchBytes: 2_000, maxEventBytes: 2_000 });
  });

  it('lowers a ceiling above the SIEM\'s documented one to it, and names the SIEM', () => {
    expect(effectiveLimits({ maxBatchEvents: 500, maxBatchBytes: 5_000_000 }, SENTINEL_LIMITS)).toMatchObject({ maxBatchBytes: 1_048_574, eventLimitName: "the Logs Ingestion API's limit per request" });
    expect(effectiveLimits({ maxBatchEvents: 500, maxBatchBytes: 5_000_000 }, SUMO_LOGIC_LIMITS)).toMatchObject({ maxBatchBytes: 1_000_000, eventLimitName: "Sumo Logic's limit per request" });
    expect(effectiveLimits({ maxBatchEvents: 500, maxBatchBytes: 104_857_600 }, ELASTIC_LIMITS)).toMatchObject({ maxBatchBytes: 104_857_600 });
    expect(effectiveLimits({ maxBatchEvents: 5_000, maxBatchBytes: 20_000_000 }, DATADOG_LIMITS)).toEqual({
      maxBatchEvents: 1_000,
      maxBatchBytes: 5_000_000,
      maxEventBytes: 1_000_000,
      eventLimitName: "Datadog's limit per event",
    });
  });

  it('says the size and the limit in the reason', () => {
    expect(tooLargeReason(1_200_345, { maxEventBytes: 1_000_000, eventLimitName: "Datadog's limit per event" })).toBe("event too large for the SIEM: 1200345 bytes, over Datadog's limit per event of 1000000 bytes; not sent");
  });
});
