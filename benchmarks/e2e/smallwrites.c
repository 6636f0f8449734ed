/* smallwrites FILE N: N write() calls of 64 bytes each, every record distinct (its index in it). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: smallwrites FILE N\n");
        return 2;
    }
    long n = atol(argv[2]);
    int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) {
        perror(argv[1]);
        return 1;
    }
    char buf[64];
    for (long i = 0; i < n; i++) {
        memset(buf, 'a' + (int) (i % 26), sizeof buf);
        int len = snprintf(buf, sizeof buf, "%ld", i);
        buf[len] = ' ';
        buf[63] = '\n';
        if (write(fd, buf, sizeof buf) != (ssize_t) sizeof buf) {
            perror("write");
            return 1;
        }
    }
    return close(fd) == 0 ? 0 : 1;
}
