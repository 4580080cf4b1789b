// The connection every program here shares, as a KafkaJS application writes it: TLS with the
// cluster's CA, SASL PLAIN, the brokers from the environment.
const fs = require('node:fs');

const host = process.env.HOST_IP || '127.0.0.1';

module.exports = (lib, clientId) =>
  new lib.Kafka({
    logLevel: lib.logLevel.WARN,
    brokers: process.env.KAFKA_BROKERS
      ? process.env.KAFKA_BROKERS.split(',')
      : [`${host}:9094`, `${host}:9097`, `${host}:9100`],
    clientId,
    ssl: {
      servername: 'localhost',
      ca: [fs.readFileSync(process.env.KAFKA_CA || './certs/ca.pem', 'utf-8')],
    },
    sasl: {
      mechanism: 'plain',
      username: process.env.KAFKA_USERNAME || 'test',
      password: process.env.KAFKA_PASSWORD || 'testtest',
    },
  });
