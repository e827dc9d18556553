import { sslPrincipal } from './ssl-principal';

describe('sslPrincipal (Kafka default SSL principal builder)', () => {
  it('turns a certificate subject into User:<RFC 2253 name>, most specific first', () => {
    expect(sslPrincipal('CN=alice')).toBe('User:CN=alice');
    expect(sslPrincipal('C=DE\nO=Acme\nCN=billing-agent')).toBe('User:CN=billing-agent,O=Acme,C=DE');
  });

  it('escapes separators inside values', () => {
    expect(sslPrincipal('O=Acme, Inc.\nCN=a+b')).toBe('User:CN=a\\+b,O=Acme\\, Inc.');
  });
});
