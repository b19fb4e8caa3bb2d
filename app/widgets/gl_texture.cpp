// OpenGL texture sink, linked into the quantviz binary only (the tests have no GL context): GL 1.1
// entry points (glGenTextures, glTexImage2D, …) that libGL exports directly, so no loader is needed.
// Registered by a static object, so main.cpp does not need to know about it.
#include <GL/gl.h>

#include <cstdint>

#include "app/widgets/texture.h"

namespace qv {

namespace {

class GlTextureSink : public TextureSink {
public:
    ImTextureID upload(ImTextureID old, int w, int h, const uint32_t* rgba) override {
        GLint previous = 0;
        glGetIntegerv(GL_TEXTURE_BINDING_2D, &previous);
        GLuint tex = GLuint(reinterpret_cast<intptr_t>(old));
        if (!tex) glGenTextures(1, &tex);
        glBindTexture(GL_TEXTURE_2D, tex);
        // Nearest: one texel per pyramid cell, edges stay sharp when zoomed in.
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
        glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w, h, 0, GL_RGBA, GL_UNSIGNED_BYTE, rgba);
        glBindTexture(GL_TEXTURE_2D, GLuint(previous));
        return reinterpret_cast<ImTextureID>(intptr_t(tex));
    }
    void release(ImTextureID id) override {
        GLuint tex = GLuint(reinterpret_cast<intptr_t>(id));
        if (tex) glDeleteTextures(1, &tex);
    }
};

struct Register {
    GlTextureSink sink;
    Register() { setTextureSink(&sink); }
    ~Register() { setTextureSink(nullptr); }
} g_register;

}  // namespace

}  // namespace qv
