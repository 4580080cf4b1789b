// Sends a few random messages every 100 ms until stopped (SIGTERM or SIGINT), printing what
// the brokers acknowledged.
const kafkajs = require('kafkajs');
const connect = require('./config.cjs');

const { CompressionTypes } = kafkajs;
const producer = connect(kafkajs, 'example-producer').producer();
const topic = process.env.TOPIC || 'topic-test';

let sent = 0;
const createMessage = (n) => ({
  key: `key-${n}`,
  value: `value-${n}-${new Date().toISOString()}`,
  headers: { 'correlation-id': `${n}-${Date.now()}` },
});

const sendMessage = () =>
  producer
    .send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 3 }, () => createMessage(sent++)),
    })
    .then((metadata) => {
      for (const { partition, baseOffset } of metadata)
        console.log(`sent to ${topic}[${partition}] at ${baseOffset}`);
    })
    .catch((e) => console.error(`[example/producer] ${e.message}`, e));

let timer;
const run = async () => {
  await producer.connect();
  timer = setInterval(sendMessage, 100);
};

run().catch((e) => console.error(`[example/producer] ${e.message}`, e));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    clearInterval(timer);
    try {
      await producer.disconnect();
      console.log('producer disconnected');
    } finally {
      process.exit(0);
    }
  });
}
