/**
 * Kafka's default SSL principal: `User:` and the client certificate's subject
 * as an RFC 2253 name (most specific part first: `CN=alice,O=acme`).
 * `subject` is node's X509Certificate.subject, one `KEY=value` per line in certificate order.
 */
export function sslPrincipal(subject: string): string {
  const parts = subject
    .split('\n')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const at = p.indexOf('=');
      // RFC 2253 escapes these characters inside a value.
      return `${p.slice(0, at + 1)}${p.slice(at + 1).replace(/([,+"\\<>;])/g, '\\$1')}`;
    });
  return `User:${parts.reverse().join(',')}`;
}
