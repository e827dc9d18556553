/**
 * One line on why a TLS handshake failed, naming the usual mistake when the
 * bytes were not TLS at all, instead of OpenSSL's multi-part message.
 */
export function describeTlsFailure(err: { code?: string; message: string }): string {
  if (err.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || err.code === 'ERR_SSL_HTTP_REQUEST') return 'the client did not speak TLS (a plaintext client on a TLS listener?)';
  if (err.code === 'ERR_TLS_HANDSHAKE_TIMEOUT') return 'the handshake did not finish in time';
  // OpenSSL's messages read "<hex>:error:<code>:SSL routines:<function>:<reason>:<file>:<line>"; the reason is the useful part.
  const reason = /SSL routines:[^:]*:([^:]+)/.exec(err.message)?.[1];
  return reason ?? err.message.split('\n')[0]!;
}
