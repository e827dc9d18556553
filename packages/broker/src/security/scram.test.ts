import { credentialFromSaltedPassword, passwordMatches, saltPassword, scramCredential, ScramServerExchange, type ScramCredential, type ScramHash } from './scram';

function vectorCredential(hash: ScramHash, saltB64: string): ScramCredential {
  const salt = Buffer.from(saltB64, 'base64');
  return credentialFromSaltedPassword(hash, salt, 4096, saltPassword(hash, 'pencil', salt, 4096));
}

describe('SCRAM server exchange against the RFC test vectors', () => {
  it('RFC 5802 (SCRAM-SHA-1): accepts the proof and answers the server signature', () => {
    const credential = vectorCredential('sha1', 'QSXCR+Q6sek8bf92');
    const exchange = new ScramServerExchange(
      'sha1',
      (u) => (u === 'user' ? credential : undefined),
      () => '3rfcNHYJY1ZVvWVs7j',
    );
    expect(exchange.receive('n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL')).toEqual({ kind: 'challenge', message: 'r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096' });
    expect(exchange.receive('c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=')).toEqual({
      kind: 'success',
      message: 'v=rmF9pqV8S7suAoZWja4dJRkFsKQ=',
      user: 'user',
    });
  });

  const rfc7677 = () => {
    const credential = vectorCredential('sha256', 'W22ZaJ0SNY7soEsUEjb6gQ==');
    return new ScramServerExchange(
      'sha256',
      (u) => (u === 'user' ? credential : undefined),
      () => '%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0',
    );
  };
  const SERVER_NONCE = 'rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0';

  it('RFC 7677 (SCRAM-SHA-256): accepts the proof and answers the server signature', () => {
    const exchange = rfc7677();
    expect(exchange.receive('n,,n=user,r=rOprNGfwEbeRWgbNEkqO')).toEqual({ kind: 'challenge', message: `r=${SERVER_NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096` });
    expect(exchange.receive(`c=biws,r=${SERVER_NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`)).toEqual({
      kind: 'success',
      message: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
      user: 'user',
    });
  });

  it('refuses a wrong proof, a changed nonce, an unknown user and a message after the end', () => {
    const wrongProof = rfc7677();
    wrongProof.receive('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    expect(wrongProof.receive(`c=biws,r=${SERVER_NONCE},p=${Buffer.alloc(32, 1).toString('base64')}`)).toEqual({ kind: 'failure', reason: 'invalid credentials' });
    expect(wrongProof.receive('anything')).toEqual({ kind: 'failure', reason: 'the exchange is already complete' });

    // As Kafka does, a nonce that ends with the combined one passes the nonce check (librdkafka sends that); the proof still decides.
    const librdkafkaStyle = rfc7677();
    librdkafkaStyle.receive('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    expect(librdkafkaStyle.receive(`c=biws,r=rOprNGfwEbeRWgbNEkqO${SERVER_NONCE},p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=`)).toEqual({ kind: 'failure', reason: 'invalid credentials' });

    const wrongNonce = rfc7677();
    wrongNonce.receive('n,,n=user,r=rOprNGfwEbeRWgbNEkqO');
    expect(wrongNonce.receive('c=biws,r=rOprNGfwEbeRWgbNEkqOother,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=')).toEqual({ kind: 'failure', reason: 'nonce does not match' });

    expect(rfc7677().receive('n,,n=mallory,r=abc')).toEqual({ kind: 'failure', reason: 'invalid credentials' });
  });

  it('refuses malformed and unsupported client-first messages', () => {
    for (const message of ['', 'garbage', 'n,,r=abc', 'n,,n=user', 'p=tls-unique,,n=user,r=abc', 'n,,n=us=er,r=abc', 'n,a=other,n=user,r=abc', 'n,,n=user,r=abc,m=ext']) {
      expect(rfc7677().receive(message).kind).toBe('failure');
    }
  });

  it('decodes =2C and =3D in user names', () => {
    const credential = scramCredential('SCRAM-SHA-256', 'pw');
    const seen: string[] = [];
    const exchange = new ScramServerExchange('sha256', (u) => (seen.push(u), credential));
    expect(exchange.receive('n,,n=a=2Cb=3Dc,r=abc').kind).toBe('challenge');
    expect(seen).toEqual(['a,b=c']);
  });
});

describe('stored credentials', () => {
  it('keep no password, yet check one (for SASL/PLAIN)', () => {
    const credential = scramCredential('SCRAM-SHA-512', 'secret', 4096);
    expect(credential.storedKey).toHaveLength(64);
    expect(JSON.stringify(credential)).not.toContain('secret');
    expect(passwordMatches(credential, 'secret')).toBe(true);
    expect(passwordMatches(credential, 'Secret')).toBe(false);
  });
});
