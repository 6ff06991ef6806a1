/* The progress stream and summary pieces shared by run and fuzz
 * (cli_summary.h). */
#include "cli_summary.h"

#include <string.h>
#include <unistd.h>

#include "whopconf/report.h"

FILE *wc_cli_progress_stream(void) {
  int fd = dup(STDERR_FILENO);
  FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    if (fd >= 0) close(fd);
    return stderr;
  }
  setvbuf(f, NULL, _IOLBF, 0);
  return f;
}

void wc_cli_progress_close(FILE *progress) {
  if (progress && progress != stderr) fclose(progress);
}

int wc_cli_print_verdict(const char *command, const cJSON *report) {
  const cJSON *sum = cJSON_GetObjectItemCaseSensitive(report, "summary");
  const cJSON *run_obj = cJSON_GetObjectItemCaseSensitive(report, "run");
  int code = (int)wc_json_num(sum, "exit_code", 0);
  const char *verdict = code == 0 ? "CONFORMANT" : code == 1 ? "NOT CONFORMANT" : "COULD NOT TEST";
  printf("whopconf %s: %s (exit %d) against %s\n", command, verdict, code,
         wc_json_str(cJSON_GetObjectItemCaseSensitive(run_obj, "target"), "base_url", ""));
  if (code == 3) printf("  reason: %s\n", wc_json_str(sum, "reason", ""));
  return code;
}

void wc_cli_print_group(const cJSON *reqs, const char *status, const char *title) {
  bool header = false;
  const cJSON *r;
  cJSON_ArrayForEach(r, reqs) {
    if (strcmp(wc_json_str(r, "status", ""), status) != 0) continue;
    if (!header) printf("  %s:\n", title);
    header = true;
    printf("    %-10s %-6s %s\n", wc_json_str(r, "id", ""), wc_json_str(r, "level", ""), wc_json_str(r, "title", ""));
    printf("               %.300s\n", wc_json_str(r, "reason", ""));
  }
}

void wc_cli_print_report_files(const char *dir, int formats) {
  static const struct {
    int bit;
    const char *file;
  } files[] = {{WC_REPORT_JSON, "report.json"}, {WC_REPORT_JUNIT, "junit.xml"},
               {WC_REPORT_SARIF, "report.sarif"}, {WC_REPORT_MD, "summary.md"},
               {WC_REPORT_HTML, "report.html"}, {WC_REPORT_HAR, "traffic.har"}};
  printf("  reports:");
  bool first = true;
  for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
    if (!(formats & files[i].bit)) continue;
    printf("%s %s/%s", first ? "" : ",", dir, files[i].file);
    first = false;
  }
  printf("\n");
}
