// One file of one commit into the cache, as huggingface_hub's hf_hub_download(revision=<commit>)
// does it: nothing at all when the snapshot already has it; else a HEAD on the resolve URL for
// the commit, the blob name (X-Linked-Etag, else ETag) and the size; the blob downloaded into
// blobs/<etag>.incomplete (resumed with a Range request when a previous run or a dropped
// connection left part of it), renamed to blobs/<etag> when complete, and only then linked from
// snapshots/<commit>/<file>.
#pragma once
#include <filesystem>
#include <string>

#include "hub/cache_layout.h"
#include "hub/session.h"

namespace hfx::hub {

std::filesystem::path fetch_file(HubSession& hub, const RepoCache& cache, const std::string& commit,
                                 const std::string& file);

}  // namespace hfx::hub
