// Zip dispatch: one central-directory parse decides between torch.save and numpy.savez layouts.
#include "core/formats/zip_model.h"

#include "core/formats/npz.h"
#include "core/formats/pytorch.h"
#include "core/formats/zip_archive.h"

namespace qv {

Result<ModelFile> openZipModelBytes(std::shared_ptr<const ByteSource> bytes, const std::string& path) {
    auto zip = ZipArchive::open(bytes, path);
    if (!zip) return zip.error();
    // torch.save always writes "<archive>/data.pkl"; numpy.savez writes only "*.npy" members.
    if (isPytorchArchive(**zip)) return openPytorchArchive(**zip, std::move(bytes), path);
    return openNpzArchive(**zip, std::move(bytes), path);
}

Result<ModelFile> openZipModel(const std::string& path) {
    auto mapped = MappedFile::open(path);
    if (!mapped) return mapped.error();
    return openZipModelBytes(std::move(*mapped), path);
}

}  // namespace qv
