// Apart from the connection (and ioredis), so that the CLI can show a Redis URL without loading the client.

const REDACTED = '***';

/** The URL with its password (in the userinfo or a `password=` query item) replaced, safe to log. */
export function redactRedisUrl(url: string): string {
  const redactQuery = (text: string) => text.replace(/([?&]password=)[^&#]*/gi, `$1${REDACTED}`);
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = REDACTED;
    return redactQuery(parsed.toString());
  } catch {
    // Not a URL we can parse: hide the whole userinfo rather than guess where the password is.
    return redactQuery(url.replace(/\/\/[^/?#]*@/, `//${REDACTED}@`));
  }
}
