// TextureSink: where the heatmap uploads its RGBA8 texels. The GUI binary registers an OpenGL sink
// (widgets/gl_texture.cpp, linked into quantviz only); without one (headless tests, no GL context) the
// null sink hands out distinct fake ids and counts uploads, so panels draw the same ImGui calls.
#pragma once

#include <imgui.h>

#include <cstdint>
#include <vector>

namespace qv {

class TextureSink {
public:
    virtual ~TextureSink() = default;
    // Creates (old == nullptr) or replaces the texture `old` with w × h RGBA8 texels (row-major,
    // packRgba layout), nearest filtering. Main thread only. Returns the id to pass to ImGui.
    virtual ImTextureID upload(ImTextureID old, int w, int h, const uint32_t* rgba) = 0;
    virtual void release(ImTextureID id) = 0;
};

// Fake ids, no GPU: for tests and for a build without a GL context.
class NullTextureSink : public TextureSink {
public:
    ImTextureID upload(ImTextureID old, int w, int h, const uint32_t* rgba) override;
    void release(ImTextureID) override {}
    int uploads = 0;
    int lastWidth = 0, lastHeight = 0;
    uint32_t lastFirstTexel = 0;
    std::vector<uint32_t> lastTexels;  // a copy of the last upload (tests read the picture)
private:
    intptr_t m_next = 1;
};

// The sink in use (the null sink until one is registered).
TextureSink& textureSink();
void setTextureSink(TextureSink* sink);  // nullptr: back to the null sink
NullTextureSink& nullTextureSink();

}  // namespace qv
