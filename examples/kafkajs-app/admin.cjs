// Creates the topic the producer and consumer use, and prints what the cluster says about it.
const kafkajs = require('kafkajs');
const connect = require('./config.cjs');

const admin = connect(kafkajs, 'example-admin').admin();
const topic = process.env.TOPIC || 'topic-test';

const run = async () => {
  await admin.connect();
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  console.log(`created ${topic}: ${created}`);
  console.log(`topics: ${(await admin.listTopics()).filter((t) => !t.startsWith('__')).join(',')}`);
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  console.log(`partitions: ${topics[0].partitions.map((p) => `${p.partitionId}@${p.leader}`).join(' ')}`);
  const { brokers, controller } = await admin.describeCluster();
  console.log(`brokers: ${brokers.map((b) => b.nodeId).join(',')} controller: ${controller}`);
  await admin.disconnect();
};

run().catch((e) => {
  console.error(`[example/admin] ${e.message}`, e);
  process.exit(1);
});
