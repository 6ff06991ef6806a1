/* Corpus replayer: the main() of every fuzz target when WHOPCONF_FUZZ is
 * OFF (gcc, release and ASan builds). Runs LLVMFuzzerTestOneInput over every
 * file in the given files and folders (recursively; names starting with '.'
 * and README or .md files are skipped) and prints a count.
 *
 *   fuzz_<target> [--check-framing | --list-crashes] [--known-open FILE] PATH...
 *
 * --check-framing: only ask wc_fuzz_framing_ok; exit 1 if any input is
 *   rejected by the target's own framing (a seed that would be wasted).
 * --list-crashes: run every input in a child process and print
 *   "crash: PATH" for each that crashes (fuzz/run.sh uses it to keep merged
 *   inputs that only reproduce a known-open bug out of the seeds); exit 0.
 * --known-open FILE: lines "<target> <file name> [note]" name inputs that
 *   reproduce a crash not fixed yet. Those run
 *   in a child process: a crash is reported but does not fail the replay; an
 *   input that no longer crashes is reported so it can be taken off the list.
 *
 * Every input is copied into a buffer of exactly its size, so ASan sees any
 * read past the end. */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuzz_common.h"

/* The input being run, named when it crashes (abort from an invariant, or
 * a sanitizer report through its death callback). */
static const char *current_input;

static void name_current_input(void) {
  if (!current_input) return;
  static const char prefix[] = "replay: crash while running ";
  ssize_t ignored = write(2, prefix, sizeof prefix - 1);
  ignored = write(2, current_input, strlen(current_input));
  ignored = write(2, "\n", 1);
  (void)ignored;
}

static void on_fatal_signal(int sig) {
  name_current_input();
  signal(sig, SIG_DFL);
  raise(sig);
}

/* Present when linked with a sanitizer runtime (gcc or clang). */
extern void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

typedef struct replay {
  const char *target;
  bool check_framing;
  bool list_crashes;
  char **known; /* file names listed for this target */
  size_t known_count;
  size_t inputs, rejected, known_crashing, known_fixed, errors;
} replay;

static const char *base_name(const char *path) {
  const char *slash = strrchr(path, '/');
  return slash ? slash + 1 : path;
}

static bool skipped_name(const char *name) {
  size_t n = strlen(name);
  return name[0] == '.' || strncmp(name, "README", 6) == 0 || (n > 3 && !strcmp(name + n - 3, ".md"));
}

static void load_known(replay *rp, const char *file) {
  FILE *f = fopen(file, "r");
  if (!f) {
    fprintf(stderr, "%s: cannot read %s: %s\n", rp->target, file, strerror(errno));
    rp->errors++;
    return;
  }
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    char target[128], name[512];
    if (line[0] == '#' || sscanf(line, "%127s %511s", target, name) != 2) continue;
    if (strcmp(target, rp->target) != 0) continue;
    char **grown = realloc(rp->known, (rp->known_count + 1) * sizeof *grown);
    if (!grown || !(grown[rp->known_count] = strdup(name))) abort();
    rp->known = grown;
    rp->known_count++;
  }
  fclose(f);
}

static bool is_known(const replay *rp, const char *path) {
  for (size_t i = 0; i < rp->known_count; i++)
    if (!strcmp(rp->known[i], base_name(path))) return true;
  return false;
}

static uint8_t *read_exact(const char *path, size_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  uint8_t *data = NULL;
  size_t len = 0, cap = 0;
  for (;;) {
    if (len == cap) {
      cap = cap ? cap * 2 : 4096;
      uint8_t *grown = realloc(data, cap);
      if (!grown) abort();
      data = grown;
    }
    size_t n = fread(data + len, 1, cap - len, f);
    len += n;
    if (n == 0) break;
  }
  fclose(f);
  /* Exactly size bytes (malloc(0) may be NULL: keep one byte then). */
  uint8_t *exact = malloc(len ? len : 1);
  if (!exact) abort();
  memcpy(exact, data, len);
  free(data);
  *size = len;
  return exact;
}

/* Runs one input in a child; true when it crashed. */
static bool crashes_in_child(const uint8_t *data, size_t size, bool *failed) {
  fflush(NULL);
  pid_t pid = fork();
  if (pid == 0) {
    LLVMFuzzerTestOneInput(data, size);
    _exit(0);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) < 0) {
    *failed = true;
    return false;
  }
  return WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0);
}

static void run_known_open(replay *rp, const char *path, const uint8_t *data, size_t size) {
  bool failed = false;
  bool crashed = crashes_in_child(data, size, &failed);
  if (failed) {
    rp->errors++;
    return;
  }
  if (crashed) {
    rp->known_crashing++;
    printf("%s: KNOWN-OPEN %s still crashes (see fuzz/known-open.txt)\n", rp->target, path);
  } else {
    rp->known_fixed++;
    printf("%s: KNOWN-OPEN %s no longer crashes: take it off fuzz/known-open.txt\n", rp->target, path);
  }
}

static void replay_file(replay *rp, const char *path) {
  size_t size = 0;
  uint8_t *data = read_exact(path, &size);
  if (!data) {
    fprintf(stderr, "%s: cannot read %s: %s\n", rp->target, path, strerror(errno));
    rp->errors++;
    return;
  }
  rp->inputs++;
  if (rp->check_framing) {
    if (!wc_fuzz_framing_ok(data, size)) {
      printf("%s: framing rejects %s\n", rp->target, path);
      rp->rejected++;
    }
  } else if (rp->list_crashes) {
    bool failed = false;
    if (crashes_in_child(data, size, &failed)) printf("crash: %s\n", path);
    if (failed) rp->errors++;
  } else if (is_known(rp, path)) {
    run_known_open(rp, path, data, size);
  } else {
    current_input = path;
    LLVMFuzzerTestOneInput(data, size);
    current_input = NULL;
  }
  free(data);
}

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void replay_path(replay *rp, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) {
    fprintf(stderr, "%s: %s: %s\n", rp->target, path, strerror(errno));
    rp->errors++;
    return;
  }
  if (!S_ISDIR(st.st_mode)) {
    replay_file(rp, path);
    return;
  }
  DIR *dir = opendir(path);
  if (!dir) {
    rp->errors++;
    return;
  }
  char **names = NULL;
  size_t count = 0;
  struct dirent *e;
  while ((e = readdir(dir))) {
    if (skipped_name(e->d_name)) continue;
    char **grown = realloc(names, (count + 1) * sizeof *names);
    if (!grown) abort();
    names = grown;
    size_t n = strlen(path) + strlen(e->d_name) + 2;
    if (!(names[count] = malloc(n))) abort();
    snprintf(names[count++], n, "%s/%s", path, e->d_name);
  }
  closedir(dir);
  if (count) qsort(names, count, sizeof *names, by_name); /* same order every run */
  for (size_t i = 0; i < count; i++) {
    replay_path(rp, names[i]);
    free(names[i]);
  }
  free(names);
}

int main(int argc, char **argv) {
  replay rp = {0};
  signal(SIGABRT, on_fatal_signal);
  signal(SIGSEGV, on_fatal_signal);
  signal(SIGBUS, on_fatal_signal);
  signal(SIGFPE, on_fatal_signal);
  signal(SIGILL, on_fatal_signal);
  if (__sanitizer_set_death_callback) __sanitizer_set_death_callback(name_current_input);
  const char *self = base_name(argv[0]);
  rp.target = strncmp(self, "fuzz_", 5) == 0 ? self + 5 : self;
  int first = 1;
  for (; first < argc && argv[first][0] == '-' && argv[first][1] == '-'; first++) {
    if (!strcmp(argv[first], "--check-framing"))
      rp.check_framing = true;
    else if (!strcmp(argv[first], "--list-crashes"))
      rp.list_crashes = true;
    else if (!strcmp(argv[first], "--known-open") && first + 1 < argc)
      load_known(&rp, argv[++first]);
    else {
      fprintf(stderr, "usage: %s [--check-framing | --list-crashes] [--known-open FILE] PATH...\n", argv[0]);
      return 2;
    }
  }
  if (first == argc) {
    fprintf(stderr, "usage: %s [--check-framing | --list-crashes] [--known-open FILE] PATH...\n", argv[0]);
    return 2;
  }
  for (int i = first; i < argc; i++) replay_path(&rp, argv[i]);
  if (rp.check_framing)
    printf("%s: %zu inputs checked, %zu rejected by the framing\n", rp.target, rp.inputs, rp.rejected);
  else
    printf("%s: %zu inputs replayed, %zu known-open still crashing, %zu known-open fixed\n", rp.target,
           rp.inputs, rp.known_crashing, rp.known_fixed);
  for (size_t i = 0; i < rp.known_count; i++) free(rp.known[i]);
  free(rp.known);
  if (rp.errors) return 2;
  return rp.rejected ? 1 : 0;
}
