// Reads the topic from the beginning in a group, printing each message, until stopped.
const kafkajs = require('kafkajs');
const connect = require('./config.cjs');

const consumer = connect(kafkajs, 'example-consumer').consumer({ groupId: 'test-group' });
const topic = process.env.TOPIC || 'topic-test';

const run = async () => {
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      const headers = Object.fromEntries(Object.entries(message.headers).map(([k, v]) => [k, v.toString()]));
      console.log(
        `received ${topic}[${partition}]@${message.offset} ${message.key.toString()}=${message.value.toString()} ` +
          JSON.stringify(headers),
      );
    },
  });
};

run().catch((e) => console.error(`[example/consumer] ${e.message}`, e));

consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
  console.log(`joined ${payload.groupId}: ${JSON.stringify(payload.memberAssignment)}`),
);

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, async () => {
    try {
      await consumer.disconnect();
      console.log('consumer disconnected');
    } finally {
      process.exit(0);
    }
  });
}
