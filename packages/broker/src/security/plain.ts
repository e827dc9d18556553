/** A SASL/PLAIN token (RFC 4616): `authzid NUL authcid NUL password`. */
export interface PlainToken {
  user: string;
  password: string;
}

/** Parses a PLAIN token; null when malformed or when it asks to act as someone else (Kafka refuses that too). */
export function parsePlainToken(token: Buffer): PlainToken | null {
  const parts = token.toString('utf8').split('\u0000');
  if (parts.length !== 3) return null;
  const [authzid, user, password] = parts as [string, string, string];
  if (user === '' || password === '') return null;
  if (authzid !== '' && authzid !== user) return null;
  return { user, password };
}
