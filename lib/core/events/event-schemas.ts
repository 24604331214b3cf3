import * as z from 'zod';

/** The two event streams MPAS (Keycloak) keeps per realm. */
export const streamSchema = z.enum(['user', 'admin']);
export type Stream = z.infer<typeof streamSchema>;

// Keycloak omits null fields, but some proxies and older versions send explicit nulls.
const optionalText = z.string().nullish();
const detailsMap = z.record(z.string(), z.string().nullable());

/**
 * A user event, as `GET /admin/realms/{realm}/events` returns it (the original service's "Representation" table).
 * Unknown fields are kept: a newer Keycloak's additions must reach the SIEM, not vanish here.
 */
export const userEventSchema = z.looseObject({
  id: z.string().optional(),
  time: z.number().int().nonnegative(),
  type: z.string().min(1),
  realmId: optionalText,
  clientId: optionalText,
  userId: optionalText,
  sessionId: optionalText,
  ipAddress: optionalText,
  error: optionalText,
  details: detailsMap.nullish(),
});
export type UserEvent = z.infer<typeof userEventSchema>;

/** Seed 000's "Auth Details Representation". */
export const authDetailsSchema = z.looseObject({
  realmId: optionalText,
  clientId: optionalText,
  userId: optionalText,
  ipAddress: optionalText,
});

/**
 * An admin event, as `GET /admin/realms/{realm}/admin-events` returns it (the original service's
 * "Admin Event representation" table). `representation` is the request body as a JSON string.
 */
export const adminEventSchema = z.looseObject({
  id: z.string().optional(),
  time: z.number().int().nonnegative(),
  realmId: optionalText,
  authDetails: authDetailsSchema.nullish(),
  operationType: z.string().min(1),
  resourceType: optionalText,
  resourcePath: optionalText,
  representation: optionalText,
  error: optionalText,
  details: detailsMap.nullish(),
});
export type AdminEvent = z.infer<typeof adminEventSchema>;

/** Either kind of event; which one is known from the stream it was read from. */
export type MpasEvent = UserEvent | AdminEvent;

/** The schema of one page of a stream's endpoint. */
export function pageSchemaFor(stream: Stream): z.ZodType<MpasEvent[]> {
  return stream === 'user' ? z.array(userEventSchema) : z.array(adminEventSchema);
}
