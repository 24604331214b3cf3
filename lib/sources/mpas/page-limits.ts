/**
 * The default of `MPAS_MAX_PAGE_BYTES` (`mpas.maxPageBytes`): 32 MiB. A page of 1,000 ordinary
 * events weighs about 0.55 MB (measured on the simulator's pages, see http-fetch.ts); admin events
 * carry the request body in `representation` (a realm's partial import stores the whole import
 * there), so the limit leaves room for a page holding several such events of megabytes each,
 * while an endless or runaway answer stops at a size the poller's memory holds (a page is parsed,
 * prepared and delivered with two more in flight).
 */
export const DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024;

/**
 * How deep an event may nest, counted in objects and arrays from the event itself (an event is 1,
 * `details` 2), and the same for the JSON text of an admin event's `representation` (its top
 * level is 1). Keycloak's own events nest 2 levels (`authDetails`, `details`) and its
 * representations follow its REST model; anything deeper is dead-lettered with its depth, so no
 * recursive walk (canonical JSON, the credential scrubber, JSON.stringify, zod, structuredClone)
 * ever meets input deeper than this. Far below where recursion fails: JSON.stringify throws past
 * about 5,000 levels on Node 20.
 */
export const MAX_EVENT_DEPTH = 200;
