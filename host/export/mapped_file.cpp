#include "export/mapped_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "core/error.h"

namespace hfx {

MappedFile::~MappedFile() {
    if (data && size) munmap(const_cast<unsigned char*>(data), size);
}

std::shared_ptr<MappedFile> MappedFile::open(const std::string& path, const char* what) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(what, " '", path, "': cannot open: ", std::strerror(errno));
    struct stat st{};
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        fail(what, " '", path, "': not a regular file");
    }
    auto m = std::make_shared<MappedFile>();
    m->size = size_t(st.st_size);
    if (m->size > 0) {
        void* p = mmap(nullptr, m->size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int err = errno;
            ::close(fd);
            m->size = 0;
            fail(what, " '", path, "': cannot map: ", std::strerror(err));
        }
        m->data = static_cast<const unsigned char*>(p);
    }
    ::close(fd);
    return m;
}

}  // namespace hfx
