// releaseFilePages(): asks the kernel to page out the node binary's read-only mappings (its
// code and data: 50 MiB of a tenant's RSS), so that what stays resident is what the process
// goes on using, faulted back in, and not what start-up touched once (the module loader, the
// snapshot's deserializer, the compilers' first work). Node has no binding for madvise(2),
// hence this Node-API addon; service/server/file-pages.ts calls it.
//
// MADV_PAGEOUT (Linux 5.4) reclaims a page only if no other process maps it (pages shared with
// another tenant of the same image on a node stay, as they should), and a file's pages only if
// the process owns the file or may write it (the image makes the service's user the binary's
// owner). Only the executable's mappings: the shared libraries are a few MiB, and root owns them
// in the image. Writable mappings are left alone: their private pages are anonymous copies.
// Returns the bytes advised, or -errno if the kernel refused (EINVAL before 5.4).
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <node_api.h>

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif

static double page_out_executable(void) {
  char exe[PATH_MAX];
  ssize_t length = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (length < 0) return -errno;
  exe[length] = '\0';
  FILE* maps = fopen("/proc/self/maps", "r");
  if (maps == NULL) return -errno;
  char line[4352];
  double advised = 0;
  while (fgets(line, sizeof line, maps) != NULL) {
    unsigned long start, end, inode;
    char perms[8], path[4096];
    // start-end perms offset dev inode path
    if (sscanf(line, "%lx-%lx %7s %*s %*s %lu %4095s", &start, &end, perms, &inode, path) != 5)
      continue;
    if (inode == 0 || perms[1] == 'w' || strcmp(path, exe) != 0) continue;
    if (madvise((void*)start, end - start, MADV_PAGEOUT) != 0) {
      int error = errno;
      fclose(maps);
      return -error;
    }
    advised += (double)(end - start);
  }
  fclose(maps);
  return advised;
}

static napi_value release_file_pages(napi_env env, napi_callback_info info) {
  (void)info;
  napi_value result;
  if (napi_create_double(env, page_out_executable(), &result) != napi_ok) return NULL;
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
