// releaseFilePages(): drops this process's mappings of the node binary's read-only pages (its
// code and data: 50 MiB of a tenant's RSS), so that what stays resident in the process is what
// it goes on using, mapped again on its next touch, and not what start-up touched once (the
// module loader, the snapshot's deserializer, the compilers' first work). Node has no binding
// for madvise(2), hence this Node-API addon; service/server/file-pages.ts calls it.
//
// MADV_DONTNEED on a private file mapping unmaps its pages; the file's pages stay in the page
// cache, so touching one again is a minor fault, with no read and no new memory charged to the
// process's cgroup. A page no process maps any more is the first the kernel reclaims when
// memory runs short. (MADV_PAGEOUT would reclaim them at once, but skips every page another
// process maps, as other tenants of the same image on a node do, and every file the process
// may not write: in the image, root owns the binary.)
//
// A mapping with anonymous pages is left alone: those are private copies (relocated read-only
// data), which MADV_DONTNEED would replace with the file's original bytes. Writable mappings
// likewise. Returns the bytes dropped, or -errno if the kernel refused.
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <node_api.h>

struct mapping {
  unsigned long start, end;
  int candidate;  // read-only, of the executable
  long anonymous_kb;
};

// Drops a finished mapping if it is a candidate with no anonymous page; returns bytes or -errno.
static double drop(const struct mapping* m) {
  if (!m->candidate || m->anonymous_kb != 0) return 0;
  if (madvise((void*)m->start, m->end - m->start, MADV_DONTNEED) != 0) return -errno;
  return (double)(m->end - m->start);
}

static double drop_executable_pages(void) {
  char exe[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (length < 0) return -errno;
  exe[length] = '\0';
  FILE* smaps = fopen("/proc/self/smaps", "r");
  if (smaps == NULL) return -errno;
  char line[4352];
  struct mapping current = {0, 0, 0, -1};
  double dropped = 0;
  while (fgets(line, sizeof line, smaps) != NULL) {
    unsigned long start, end, inode;
    char perms[8];
    long kb;
    int path_at = -1;
    // A mapping's header: start-end perms offset dev inode [path]. Its fields follow, one a line.
    // The path is the rest of the line, spaces included.
    int fields = sscanf(line, "%lx-%lx %7s %*s %*s %lu %n", &start, &end, perms, &inode, &path_at);
    if (fields == 4) {
      double result = drop(&current);
      if (result < 0) {
        fclose(smaps);
        return result;
      }
      dropped += result;
      char* path = path_at >= 0 ? line + path_at : line + strlen(line);  // none: anonymous
      path[strcspn(path, "\n")] = '\0';
      current.start = start;
      current.end = end;
      current.candidate = perms[1] != 'w' && strcmp(path, exe) == 0;
      current.anonymous_kb = -1;  // unknown until its Anonymous line
    } else if (sscanf(line, "Anonymous: %ld kB", &kb) == 1) {
      current.anonymous_kb = kb;
    }
  }
  fclose(smaps);
  double result = drop(&current);
  return result < 0 ? result : dropped + result;
}

static napi_value release_file_pages(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  if (napi_create_double(env, drop_executable_pages(), &result) != napi_ok) return NULL;
  return result;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  if (napi_create_function(env, "releaseFilePages", NAPI_AUTO_LENGTH, release_file_pages, NULL,
                           &fn) != napi_ok ||
      napi_set_named_property(env, exports, "releaseFilePages", fn) != napi_ok)
    return NULL;
  return exports;
}
