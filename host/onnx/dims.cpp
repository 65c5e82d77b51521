#include "onnx/dims.h"

namespace hfx {

int64_t resolve_dim(const Dim& d, const DimBindings& dims) {
    if (d.size >= 0) return d.size;
    int64_t total = 0;
    size_t start = 0;
    const std::string& s = d.symbol;
    while (start <= s.size()) {
        size_t end = s.find('+', start);
        if (end == std::string::npos) end = s.size();
        std::string term = s.substr(start, end - start);
        term.erase(0, term.find_first_not_of(' '));
        term.erase(term.find_last_not_of(' ') + 1);
        // A term is a product of factors: "batch*4" (Bloom's fused batch and heads axis).
        int64_t product = 1;
        size_t f0 = 0;
        while (!term.empty() && f0 <= term.size()) {
            size_t f1 = term.find('*', f0);
            if (f1 == std::string::npos) f1 = term.size();
            std::string f = term.substr(f0, f1 - f0);
            f.erase(0, f.find_first_not_of(' '));
            f.erase(f.find_last_not_of(' ') + 1);
            auto it = dims.find(f);
            bool number = !f.empty() && f.find_first_not_of("0123456789") == std::string::npos;
            product *= number ? std::stoll(f) : it != dims.end() ? it->second : 2;
            f0 = f1 + 1;
        }
        if (!term.empty()) total += product;
        start = end + 1;
    }
    return total;
}

}  // namespace hfx
