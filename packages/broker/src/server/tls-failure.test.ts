import { describeTlsFailure } from './tls-failure';

describe('describeTlsFailure', () => {
  it('names a plaintext client on a TLS listener', () => {
    expect(describeTlsFailure({ code: 'ERR_SSL_WRONG_VERSION_NUMBER', message: 'x' })).toBe('the client did not speak TLS (a plaintext client on a TLS listener?)');
  });

  it("keeps OpenSSL's reason and drops the rest", () => {
    const message = '80FC61AF347F0000:error:0A000098:SSL routines:read_state_machine:excessive message size:../deps/openssl/openssl/ssl/statem/statem.c:609:\n';
    expect(describeTlsFailure({ code: 'ERR_SSL_EXCESSIVE_MESSAGE_SIZE', message })).toBe('excessive message size');
    expect(describeTlsFailure({ message: 'socket hang up\nmore' })).toBe('socket hang up');
  });
});
