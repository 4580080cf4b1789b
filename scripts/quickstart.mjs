// The quickstart arrives with the reference broker, producer and consumer (issues 3-6).
console.log('tskafka: the workspace is installed and @tskafka/protocol is built.');
console.log('The quickstart (embedded broker, producer, consumer group) is not built yet; see README.md.');
