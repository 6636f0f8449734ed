/*
 * A 32-bit program without libc (gcc -m32 -nostdlib -static): creates and writes a file through int 0x80, whose
 * syscall numbers are i386's. The capture does not decode them; the recording must say so.
 */
static int sys3(int nr, int a, int b, int c) { int r; __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory"); return r; }
void _start(void) {
	const char *path = "written-by-32-bit.txt";
	int fd = sys3(5 /* open */, (int)path, 0101 | 01000 /* O_WRONLY|O_CREAT|O_TRUNC */, 0644);
	sys3(4 /* write */, fd, (int)"from a 32-bit program\n", 22);
	sys3(6 /* close */, fd, 0, 0);
	sys3(1 /* exit */, 0, 0, 0);
}
