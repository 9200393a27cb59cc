/** The `@opentelemetry/api` module, as the metrics bridge uses it. */
export type OpenTelemetryApi = typeof import('@opentelemetry/api');

/**
 * Loads `@opentelemetry/api` on demand. It is an optional peer: an app without it gets
 * `undefined`, and the module reports no metrics.
 */
export async function loadOpenTelemetry(): Promise<OpenTelemetryApi | undefined> {
  try {
    return await import('@opentelemetry/api');
  } catch {
    return undefined;
  }
}
