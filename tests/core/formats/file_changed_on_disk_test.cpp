// A file truncated or rewritten on disk while it is mapped: reads of the lost tail give zeros, not
// SIGBUS (MappingGuard), the source says what happened, and the passes report it instead of numbers.
// Also compiled with ASan+UBSan (qv_formats_asan_tests), where ASan has its own SIGBUS handler.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/base/byte_source.h"
#include "core/base/mapping_guard.h"
#include "core/formats/model_file.h"
#include "core/metrics/error_stats.h"
#include "core/stats/tensor_summary.h"
#include "tests/core/formats/format_builders.h"
#include "tests/support/test_support.h"

namespace qv {
namespace {

const size_t kPage = static_cast<size_t>(sysconf(_SC_PAGESIZE));

// Bytes i ↦ 1 + i mod 251: never zero, so a zero read back can only be a replaced page.
std::vector<std::byte> pattern(size_t n) {
    std::vector<std::byte> b(n);
    for (size_t i = 0; i < n; ++i) b[i] = static_cast<std::byte>(1 + i % 251);
    return b;
}

// Read through a volatile pointer so the compiler cannot drop or reorder the access.
unsigned readByte(const std::byte* p) { return static_cast<unsigned>(*reinterpret_cast<const volatile unsigned char*>(p)); }

TEST(FileChangedOnDisk, TruncationReadsAsZerosAndIsReported) {
    const std::string path = test::tempPath("truncated.bin");
    test::writeBytes(path, pattern(5 * kPage));
    auto f = MappedFile::open(path);
    ASSERT_TRUE(f) << f.message();
    const std::byte* d = f.value()->data();
    EXPECT_EQ(readByte(d + 3 * kPage + 7), 1u + (3 * kPage + 7) % 251);
    EXPECT_EQ(f.value()->integrityProblem(), "");

    std::filesystem::resize_file(path, kPage + 100);  // what open(path, "wb") + a partial write leaves
    // Page 0 is still the file's; page 1 holds bytes [kPage, kPage + 100) and zeros after them (POSIX);
    // pages 2..4 lie wholly past the end: SIGBUS without the guard, zeros with it.
    EXPECT_EQ(readByte(d + 10), 1u + 10 % 251);
    EXPECT_EQ(readByte(d + kPage + 99), 1u + (kPage + 99) % 251);
    EXPECT_EQ(readByte(d + kPage + 100), 0u);
    EXPECT_EQ(readByte(d + 3 * kPage + 7), 0u);
    EXPECT_EQ(readByte(d + 5 * kPage - 1), 0u);
    const std::string why = f.value()->integrityProblem();
    EXPECT_NE(why.find(path), std::string::npos) << why;
    EXPECT_NE(why.find("truncated on disk while open"), std::string::npos) << why;
    EXPECT_NE(why.find("Reopen"), std::string::npos) << why;
}

TEST(FileChangedOnDisk, RewriteInPlaceIsSeenBySizeOrTime) {
    const std::string path = test::tempPath("rewritten.bin");
    test::writeBytes(path, pattern(3 * kPage));
    auto f = MappedFile::open(path);
    ASSERT_TRUE(f);
    EXPECT_EQ(f.value()->integrityProblem(), "");
    {
        // Same size, new contents, and a modification time an hour later (timestamps can be
        // coarser than two writes in a row).
        test::writeBytes(path, std::vector<std::byte>(3 * kPage, std::byte{9}));
        struct stat st {};
        ASSERT_EQ(::stat(path.c_str(), &st), 0);
        struct timespec times[2] = {st.st_atim, st.st_mtim};
        times[1].tv_sec += 3600;
        ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
    }
    EXPECT_NE(f.value()->integrityProblem().find("modified on disk since it was opened"), std::string::npos)
        << f.value()->integrityProblem();

    const std::string grown = test::tempPath("grown.bin");
    test::writeBytes(grown, pattern(kPage));
    auto g = MappedFile::open(grown);
    ASSERT_TRUE(g);
    std::filesystem::resize_file(grown, 2 * kPage);
    const std::string why = g.value()->integrityProblem();
    EXPECT_NE(why.find("changed size on disk while open (" + std::to_string(kPage) + " → " +
                       std::to_string(2 * kPage) + " bytes)"),
              std::string::npos)
        << why;
}

TEST(FileChangedOnDisk, ReplacedByRenameKeepsTheMappedFileIntact) {
    // Tools that write a new file and rename it over the old path leave our inode untouched: the
    // mapped bytes stay the old file's, consistently, and nothing is reported.
    const std::string path = test::tempPath("renamed.bin");
    test::writeBytes(path, pattern(2 * kPage));
    auto f = MappedFile::open(path);
    ASSERT_TRUE(f);
    const std::string fresh = test::tempPath("renamed.bin.tmp");
    test::writeBytes(fresh, std::vector<std::byte>(kPage, std::byte{7}));
    std::filesystem::rename(fresh, path);
    EXPECT_EQ(readByte(f.value()->data() + kPage + 5), 1u + (kPage + 5) % 251);
    EXPECT_EQ(f.value()->integrityProblem(), "");
}

TEST(FileChangedOnDisk, PassesOverATruncatedTensorReportItInsteadOfNumbers) {
    // One f32 tensor of 64K values (256 KiB = many pages), all equal to 1.5.
    const size_t n = 64 * 1024;
    const std::vector<float> values(n, 1.5f);
    const std::string header = R"({"w":{"dtype":"F32","shape":[)" + std::to_string(n) + R"(],"data_offsets":[0,)" +
                               std::to_string(n * 4) + "]}}";
    const std::string path = test::tempPath("truncated_tensor.safetensors");
    test::writeBytes(path, test::safetensorsImage(header, test::rawBytes(values)));
    auto model = openModel(path);
    ASSERT_TRUE(model) << model.message();
    TensorView view = model.value()->view(0);
    auto before = summarize(view);
    ASSERT_TRUE(before) << before.message();
    EXPECT_EQ(before.value()->min, 1.5);
    EXPECT_EQ(before.value()->zeroCount, 0u);

    std::filesystem::resize_file(path, 4096);  // keeps the header and the first values only
    auto after = summarize(view);
    ASSERT_FALSE(after);
    EXPECT_NE(after.message().find("w: "), std::string::npos) << after.message();
    EXPECT_NE(after.message().find("truncated on disk while open"), std::string::npos) << after.message();

    QuantParams params;
    params.scheme.bits = 8;
    params.slices = {SliceParams{1.5f / 127.0f, 0}};
    auto err = measureError(view, params);
    ASSERT_FALSE(err);
    EXPECT_NE(err.message().find("truncated on disk while open"), std::string::npos) << err.message();
}

#if !defined(__SANITIZE_ADDRESS__)
TEST(FileChangedOnDiskDeathTest, ASigbusOutsideGuardedMappingsStillEndsTheProgram) {
    // The guard answers only faults inside mappings it was given; any other SIGBUS (a bug) must
    // keep its default effect. (Not under ASan, whose own handler reports and exits instead.)
    GTEST_FLAG_SET(death_test_style, "threadsafe");
    const std::string path = test::tempPath("unguarded.bin");
    test::writeBytes(path, pattern(4 * kPage));
    auto guarded = MappedFile::open(path);  // installs the handler
    ASSERT_TRUE(guarded);
    EXPECT_EXIT(
        {
            const int fd = ::open(path.c_str(), O_RDONLY);
            void* p = ::mmap(nullptr, 4 * kPage, PROT_READ, MAP_PRIVATE, fd, 0);
            if (::truncate(path.c_str(), 0) != 0) std::_Exit(3);
            std::printf("%u\n", readByte(static_cast<const std::byte*>(p) + 2 * kPage));
            std::_Exit(0);
        },
        ::testing::KilledBySignal(SIGBUS), "");
}
#endif

TEST(FileChangedOnDisk, GuardTableFreesItsSlots) {
    // Opening and closing many more files than the table holds: slots are given back.
    const std::string path = test::tempPath("many.bin");
    test::writeBytes(path, pattern(kPage));
    for (int i = 0; i < MappingGuard::capacity() + 10; ++i) {
        auto f = MappedFile::open(path);
        ASSERT_TRUE(f);
    }
    const int slot = MappingGuard::add(&kPage, sizeof kPage);
    EXPECT_GE(slot, 0);
    EXPECT_EQ(MappingGuard::faults(slot), 0u);
    MappingGuard::remove(slot);
}

}  // namespace
}  // namespace qv
