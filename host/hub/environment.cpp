#include "hub/environment.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>

namespace hfx::hub {

namespace {

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::string expand_user(std::string path) {
    if (path.size() >= 1 && path[0] == '~' && (path.size() == 1 || path[1] == '/')) path = env("HOME") + path.substr(1);
    return path;
}

bool is_true(std::string v) {
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return char(std::toupper(c)); });
    return v == "1" || v == "ON" || v == "YES" || v == "TRUE";
}

std::string hf_home() {
    std::string home = env("HF_HOME");
    if (!home.empty()) return expand_user(home);
    std::string xdg = env("XDG_CACHE_HOME");
    return (xdg.empty() ? expand_user("~/.cache") : xdg) + "/huggingface";
}

std::string strip(std::string s) {
    s.erase(0, s.find_first_not_of(" \t\r\n"));
    s.erase(s.find_last_not_of(" \t\r\n") + 1);
    return s;
}

}  // namespace

std::string cache_root() {
    for (const char* name : {"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"})
        if (!env(name).empty()) return expand_user(env(name));
    return hf_home() + "/hub";
}

bool offline_mode() {
    // huggingface_hub takes HF_HUB_OFFLINE when set at all, else TRANSFORMERS_OFFLINE.
    std::string v = env("HF_HUB_OFFLINE");
    return is_true(v.empty() ? env("TRANSFORMERS_OFFLINE") : v);
}

std::string endpoint() {
    std::string e = env("HF_ENDPOINT");
    if (e.empty()) e = "https://huggingface.co";
    while (!e.empty() && e.back() == '/') e.pop_back();
    return e;
}

std::string token() {
    for (const char* name : {"HF_TOKEN", "HUGGING_FACE_HUB_TOKEN"})
        if (!strip(env(name)).empty()) return strip(env(name));
    std::string path = env("HF_TOKEN_PATH");
    path = path.empty() ? hf_home() + "/token" : expand_user(path);
    std::ifstream in(path);
    if (!in) return "";
    return strip(std::string(std::istreambuf_iterator<char>(in), {}));
}

}  // namespace hfx::hub
