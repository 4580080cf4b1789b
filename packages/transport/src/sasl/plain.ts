/**
 * SASL PLAIN (RFC 4616): one message, `authzid NUL authcid NUL password`, with an empty authzid
 * as Kafka's `PlainSaslServer` expects.
 *
 * @module
 */

/** The single PLAIN client message for `username` and `password`. */
export function plainAuthBytes(username: string, password: string): Buffer {
  if (username.includes('\0') || password.includes('\0')) {
    throw new TypeError('SASL PLAIN user names and passwords cannot contain NUL');
  }
  return Buffer.from(`\0${username}\0${password}`, 'utf8');
}
