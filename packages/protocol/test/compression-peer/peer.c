/*
 * A librdkafka 2.x mock cluster for the compression interop test: one broker, the topics named
 * on the command line (one partition each; the mock has no CreateTopics), ListOffsets capped at
 * v3 (the 2.0.2 mock mis-encodes v4+). Prints the bootstrap address on one line, then serves
 * until its standard input closes.
 *
 *   gcc peer.c $(pkg-config --cflags --libs rdkafka) -o peer && ./peer topic-a topic-b
 */
#include <stdio.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

int main(int argc, char **argv) {
        char errstr[512];
        rd_kafka_conf_t *conf = rd_kafka_conf_new();
        rd_kafka_t *rk;
        rd_kafka_mock_cluster_t *mcluster;
        int i;

        rd_kafka_conf_set(conf, "log_level", "3", NULL, 0);
        rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
        if (!rk) {
                fprintf(stderr, "rd_kafka_new: %s\n", errstr);
                return 1;
        }
        mcluster = rd_kafka_mock_cluster_new(rk, 1);
        if (!mcluster) {
                fprintf(stderr, "rd_kafka_mock_cluster_new failed\n");
                return 1;
        }
        rd_kafka_mock_set_apiversion(mcluster, 2 /* ListOffsets */, 0, 3);
        for (i = 1; i < argc; i++) {
                rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, argv[i], 1, 1);
                if (err) {
                        fprintf(stderr, "topic %s: %s\n", argv[i], rd_kafka_err2str(err));
                        return 1;
                }
        }
        printf("%s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
        fflush(stdout);
        while (getchar() != EOF)
                ;
        rd_kafka_mock_cluster_destroy(mcluster);
        rd_kafka_destroy(rk);
        return 0;
}
