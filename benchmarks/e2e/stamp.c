/* stamp OUT CMD [ARGS...]: runs CMD, then writes "<start> <end>" (CLOCK_MONOTONIC ns, the clock of
 * Java's System.nanoTime on Linux) to OUT; exits as CMD did (128+signal if killed). Lets the harness
 * tell when the workload ended inside a recorder, peer or not. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: stamp OUT CMD [ARGS...]\n");
        return 2;
    }
    long long start = now();
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 1;
    }
    if (pid == 0) {
        execvp(argv[2], argv + 2);
        perror(argv[2]);
        _exit(127);
    }
    int status;
    while (waitpid(pid, &status, 0) < 0) {
    }
    long long end = now();
    FILE *f = fopen(argv[1], "w");
    if (f != NULL) {
        fprintf(f, "%lld %lld\n", start, end);
        fclose(f);
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
