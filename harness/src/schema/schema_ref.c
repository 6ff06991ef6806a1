/* JSON Schema 2020-12: resolving $ref.
 *
 * Local references only: "#", "#/json/pointer" (with ~0 ~1 and
 * percent-encoding), "#name" for a unique $anchor, and the same prefixed
 * with the document root's $id. Anything else (another document, a base URI
 * changed by a nested $id) is refused at compile time rather than guessed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_compile.h"

static const cJSON *find_anchor(const cJSON *node, const char *name, int depth, int *count, char **path,
                                wc_buf *cur) {
  if (depth > MAX_SCHEMA_NESTING || (!cJSON_IsObject(node) && !cJSON_IsArray(node))) return NULL;
  const char *a = wc_sc_str_member(node, "$anchor");
  const cJSON *found = NULL;
  if (a && strcmp(a, name) == 0) {
    (*count)++;
    found = node;
    free(*path);
    *path = wc_strdup(cur->data ? cur->data : "");
  }
  size_t index = 0;
  for (const cJSON *c = node->child; c; c = c->next, index++) {
    size_t mark = cur->len;
    int rc;
    if (cJSON_IsObject(node)) {
      rc = wc_pointer_token_append(cur, c->string, strlen(c->string));
    } else {
      rc = wc_buf_printf(cur, "/%zu", index);
    }
    if (rc != 0) return found;
    const cJSON *f = find_anchor(c, name, depth + 1, count, path, cur);
    if (f) found = f;
    cur->len = mark;
    if (cur->data) cur->data[mark] = '\0';
  }
  return found;
}

/* Resolves a decoded JSON pointer (starting with '/' or empty) in the
 * document. Following an OpenAPI habit, a token missing from an object that
 * is itself a {"$ref": "#/..."} is looked up in that ref's target.
 * *canonical receives the pointer of the node reached, "#/...". */
static const cJSON *resolve_pointer_hops(compiler *cc, const char *where, const char *pointer, char **canonical,
                                         bool *in_resource, int *hops) {
  const cJSON *node = cc->doc;
  wc_buf canon;
  wc_buf_init(&canon);
  int rc = wc_buf_puts(&canon, "#");
  *in_resource = false;
  for (const char *q = strchr(pointer, '~'); q; q = strchr(q + 1, '~'))
    if (q[1] != '0' && q[1] != '1') {
      wc_sc_fail(cc, where, "%s: '~' must be followed by 0 or 1", cc->shown);
      wc_buf_free(&canon);
      *canonical = NULL;
      return NULL;
    }
  const char *p = pointer;
  while (*p && rc == 0) {
    if (*p != '/') {
      wc_sc_fail(cc, where, "%s: a JSON pointer must start with '/'", cc->shown);
      break;
    }
    p++;
    const char *end = strchr(p, '/');
    size_t n = end ? (size_t)(end - p) : strlen(p);
    char *tok = malloc(n + 1);
    if (!tok) {
      rc = -1;
      break;
    }
    size_t t = 0;
    for (size_t i = 0; i < n; i++) {
      /* every '~' is followed by 0 or 1 (checked above), in the same token */
      if (p[i] == '~') tok[t++] = p[++i] == '0' ? '~' : '/';
      else tok[t++] = p[i];
    }
    tok[t] = '\0';
    p += n;
    const cJSON *next = NULL;
    if (cJSON_IsArray(node)) {
      char *e = NULL;
      unsigned long idx = t && (tok[0] != '0' || t == 1) ? strtoul(tok, &e, 10) : 0;
      if (e && !*e) next = cJSON_GetArrayItem(node, (int)idx);
      if (next) rc = wc_buf_printf(&canon, "/%lu", idx);
    } else if (cJSON_IsObject(node)) {
      next = cJSON_GetObjectItemCaseSensitive(node, tok);
      while (!next && *hops < MAX_REF_HOPS) {
        const char *via = wc_sc_str_member(node, "$ref");
        if (!via || via[0] != '#' || via[1] != '/') break;
        bool ignored;
        char *c2 = NULL;
        /* A simple hop: the pointer of the indirection, no percent-encoding. */
        (*hops)++;
        const cJSON *target = resolve_pointer_hops(cc, where, via + 1, &c2, &ignored, hops);
        if (!target) {
          free(c2);
          break;
        }
        node = target;
        wc_buf_free(&canon);
        wc_buf_init(&canon);
        rc = wc_buf_puts(&canon, c2);
        free(c2);
        next = wc_sc_member(node, tok);
      }
      if (next && rc == 0) rc = wc_pointer_token_append(&canon, tok, strlen(tok));
    }
    free(tok);
    if (!next) {
      if (!cc->failed) wc_sc_fail(cc, where, "%s does not resolve in the document", cc->shown);
      break;
    }
    node = next;
    if (node != cc->doc && node != cc->entry && wc_sc_member(node, "$id")) *in_resource = true;
  }
  if (rc != 0) wc_sc_oom(cc);
  if (cc->failed) {
    wc_buf_free(&canon);
    *canonical = NULL;
    return NULL;
  }
  *canonical = wc_buf_steal(&canon);
  return node;
}

const cJSON *wc_sc_resolve_pointer(compiler *cc, const char *where, const char *pointer, char **canonical,
                                    bool *in_resource) {
  int hops = 0;
  return resolve_pointer_hops(cc, where, pointer, canonical, in_resource, &hops);
}

wc_snode *wc_sc_ref_target(compiler *cc, const char *where, const char *ref) {
  /* Accept "#..." and, when the document root has an $id, "<that id>#...". */
  const char *frag = NULL;
  const char *root_id = wc_sc_str_member(cc->doc, "$id");
  if (ref[0] == '#') {
    frag = ref + 1;
  } else if (root_id && strncmp(ref, root_id, strlen(root_id)) == 0 &&
             (ref[strlen(root_id)] == '\0' || ref[strlen(root_id)] == '#')) {
    frag = ref + strlen(root_id);
    if (*frag == '#') frag++;
  } else {
    wc_sc_fail(cc, where, "$ref \"%s\": only references inside this document (\"#...\") are supported", ref);
    return NULL;
  }
  snprintf(cc->shown, sizeof cc->shown, "$ref \"%.300s\"", ref);
  /* The fragment is URI-encoded: %25 is '%', %22 is '"'. */
  size_t n = strlen(frag);
  char *decoded = malloc(n + 1);
  if (!decoded) {
    wc_sc_oom(cc);
    return NULL;
  }
  size_t d = 0;
  for (size_t i = 0; i < n; i++) {
    if (frag[i] == '%' && i + 2 < n && wc_hex_digit(frag[i + 1]) >= 0 && wc_hex_digit(frag[i + 2]) >= 0) {
      decoded[d++] = (char)(wc_hex_digit(frag[i + 1]) * 16 + wc_hex_digit(frag[i + 2]));
      i += 2;
    } else {
      decoded[d++] = frag[i];
    }
  }
  decoded[d] = '\0';
  const cJSON *target = NULL;
  char *canonical = NULL;
  bool in_resource = false;
  if (decoded[0] == '\0' || decoded[0] == '/') {
    target = wc_sc_resolve_pointer(cc, where, decoded, &canonical, &in_resource);
  } else {
    /* A plain-name fragment: the $anchor of that name, if it is unique. */
    int count = 0;
    wc_buf cur;
    wc_buf_init(&cur);
    char *path = NULL;
    target = find_anchor(cc->doc, decoded, 0, &count, &path, &cur);
    wc_buf_free(&cur);
    if (count != 1) {
      wc_sc_fail(cc, where, "$ref \"%s\": %s", ref,
            count ? "the $anchor is defined more than once" : "no $anchor of that name in the document");
      target = NULL;
    } else if (path) {
      size_t pl = strlen(path);
      canonical = malloc(pl + 2);
      if (canonical) {
        canonical[0] = '#';
        memcpy(canonical + 1, path, pl + 1);
      }
    }
    free(path);
  }
  free(decoded);
  if (!target || !canonical) {
    free(canonical);
    if (!cc->failed) wc_sc_oom(cc);
    return NULL;
  }
  wc_snode *node = wc_sc_map_get(cc, target);
  if (!node) {
    char *ptr = wc_sc_strndup(cc->s, canonical, strlen(canonical));
    node = ptr ? wc_sc_new_node(cc, target, ptr) : NULL;
    if (!node) {
      free(canonical);
      wc_sc_oom(cc);
      return NULL;
    }
    if (cc->nwork == cc->work_cap) {
      size_t cap = cc->work_cap ? cc->work_cap * 2 : 16;
      pending *w = realloc(cc->work, cap * sizeof *w);
      if (!w) {
        free(canonical);
        wc_sc_oom(cc);
        return NULL;
      }
      cc->work = w;
      cc->work_cap = cap;
    }
    cc->work[cc->nwork++] = (pending){target, node, in_resource};
  }
  free(canonical);
  return node;
}
