/**
 * How often each archived event was stored. The SQLite archive counts it: the archive takes a
 * batch when it is handed to delivery, so a page sent again (after a crash between delivery and
 * commit, or a failed delivery) is stored again. The S3 archive cannot tell: a batch archived
 * again replaces its own object, and the reader merges copies by key.
 */
export interface DeliveryCounter {
  /**
   * The keys stored more than once among the records dated in [from, to) (ISO-8601), with how
   * many times; undefined when this archive file has no counts (written before they existed).
   */
  repeatedDeliveries(from: string, to: string): Promise<Map<string, number> | undefined>;
}
