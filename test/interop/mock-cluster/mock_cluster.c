/*
 * A librdkafka mock cluster as a process, for interop tests (see ../mock-cluster.ts).
 *
 *   mock_cluster <brokers> [topic:partitions[:replication]]...
 *
 * Prints the bootstrap servers on one stdout line, then reads commands from stdin, one per line,
 * answering each with "ok" or "error <reason>", until stdin closes or SIGTERM/SIGINT:
 *
 *   push_request_errors <apiKey> <count> <err>...    next <count> requests fail, in order
 *   clear_request_errors <apiKey>
 *   broker_push_request_error_rtts <brokerId> <apiKey> <err>:<rttMs>...
 *   broker_down <brokerId> | broker_up <brokerId>    (-1 = all brokers)
 *   broker_rtt <brokerId> <ms> | broker_rack <brokerId> <rack>
 *   create_topic <name> <partitions> <replicationFactor>
 *   partition_leader <topic> <partition> <brokerId>
 *   coordinator <group|transaction> <key> <brokerId>
 *   topic_error <topic> <err>
 *   set_apiversion <apiKey> <min> <max>
 *
 * Error codes are numbers: Kafka's (6 = NOT_LEADER_OR_FOLLOWER) or librdkafka's internal ones
 * (-195 = __TRANSPORT, which makes the broker drop the connection).
 */
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

#define MAX_ARGS 64

static rd_kafka_resp_err_t run(rd_kafka_mock_cluster_t *mc, int argc, char **argv, const char **why) {
  const char *c = argv[0];
#define NEED(n) do { if (argc < (n)) { *why = "missing arguments"; return RD_KAFKA_RESP_ERR__INVALID_ARG; } } while (0)
  if (!strcmp(c, "push_request_errors")) {
    NEED(3);
    int cnt = atoi(argv[2]);
    if (cnt < 0 || argc != 3 + cnt) { *why = "expected <apiKey> <count> and <count> errors"; return RD_KAFKA_RESP_ERR__INVALID_ARG; }
    rd_kafka_resp_err_t errs[MAX_ARGS];
    for (int i = 0; i < cnt; i++) errs[i] = (rd_kafka_resp_err_t)atoi(argv[3 + i]);
    rd_kafka_mock_push_request_errors_array(mc, (int16_t)atoi(argv[1]), (size_t)cnt, errs);
    return RD_KAFKA_RESP_ERR_NO_ERROR;
  }
  if (!strcmp(c, "clear_request_errors")) { NEED(2); rd_kafka_mock_clear_request_errors(mc, (int16_t)atoi(argv[1])); return 0; }
  if (!strcmp(c, "broker_push_request_error_rtts")) {
    NEED(4);
    for (int i = 3; i < argc; i++) {
      char *colon = strchr(argv[i], ':');
      rd_kafka_resp_err_t e = rd_kafka_mock_broker_push_request_error_rtts(
          mc, atoi(argv[1]), (int16_t)atoi(argv[2]), 1, (rd_kafka_resp_err_t)atoi(argv[i]), colon ? atoi(colon + 1) : 0);
      if (e) return e;
    }
    return 0;
  }
  if (!strcmp(c, "broker_down")) { NEED(2); return rd_kafka_mock_broker_set_down(mc, atoi(argv[1])); }
  if (!strcmp(c, "broker_up")) { NEED(2); return rd_kafka_mock_broker_set_up(mc, atoi(argv[1])); }
  if (!strcmp(c, "broker_rtt")) { NEED(3); return rd_kafka_mock_broker_set_rtt(mc, atoi(argv[1]), atoi(argv[2])); }
  if (!strcmp(c, "broker_rack")) { NEED(3); return rd_kafka_mock_broker_set_rack(mc, atoi(argv[1]), argv[2]); }
  if (!strcmp(c, "create_topic")) { NEED(4); return rd_kafka_mock_topic_create(mc, argv[1], atoi(argv[2]), atoi(argv[3])); }
  if (!strcmp(c, "partition_leader")) { NEED(4); return rd_kafka_mock_partition_set_leader(mc, argv[1], atoi(argv[2]), atoi(argv[3])); }
  if (!strcmp(c, "coordinator")) { NEED(4); return rd_kafka_mock_coordinator_set(mc, argv[1], argv[2], atoi(argv[3])); }
  if (!strcmp(c, "topic_error")) { NEED(3); rd_kafka_mock_topic_set_error(mc, argv[1], (rd_kafka_resp_err_t)atoi(argv[2])); return 0; }
  if (!strcmp(c, "set_apiversion")) {
    NEED(4);
    return rd_kafka_mock_set_apiversion(mc, (int16_t)atoi(argv[1]), (int16_t)atoi(argv[2]), (int16_t)atoi(argv[3]));
  }
  *why = "unknown command";
  return RD_KAFKA_RESP_ERR__INVALID_ARG;
#undef NEED
}

int main(int argc, char **argv) {
  char err[512];
  int brokers = argc > 1 ? atoi(argv[1]) : 1;
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "4", err, sizeof(err)); /* hide "no bootstrap.servers" */
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
  if (!rk) { fprintf(stderr, "rd_kafka_new: %s\n", err); return 1; }
  rd_kafka_mock_cluster_t *mc = rd_kafka_mock_cluster_new(rk, brokers < 1 ? 1 : brokers);
  if (!mc) { fprintf(stderr, "rd_kafka_mock_cluster_new failed\n"); return 1; }
  /* librdkafka 2.0.2 mis-encodes ListOffsets v4+ responses: cap the version it advertises. */
  rd_kafka_mock_set_apiversion(mc, 2, 0, 3);
  for (int i = 2; i < argc; i++) {
    char name[256];
    int partitions = 1, rf = 1;
    if (sscanf(argv[i], "%255[^:]:%d:%d", name, &partitions, &rf) < 1) { fprintf(stderr, "bad topic %s\n", argv[i]); return 2; }
    rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(mc, name, partitions, rf);
    if (e) { fprintf(stderr, "create topic %s: %s\n", name, rd_kafka_err2str(e)); return 2; }
  }

  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal; /* no SA_RESTART: fgets returns on a signal */
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);

  printf("%s\n", rd_kafka_mock_cluster_bootstraps(mc));
  fflush(stdout);

  char line[4096];
  while (!stop && fgets(line, sizeof(line), stdin)) {
    char *args[MAX_ARGS];
    int n = 0;
    for (char *tok = strtok(line, " \t\r\n"); tok && n < MAX_ARGS; tok = strtok(NULL, " \t\r\n")) args[n++] = tok;
    if (n == 0) continue;
    const char *why = NULL;
    rd_kafka_resp_err_t e = run(mc, n, args, &why);
    if (e) printf("error %s\n", why ? why : rd_kafka_err2name(e));
    else printf("ok\n");
    fflush(stdout);
  }

  rd_kafka_mock_cluster_destroy(mc);
  rd_kafka_destroy(rk);
  return 0;
}
