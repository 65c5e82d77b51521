// hfx_fake_hub: the tests' fake hub (fake_hub.h) serving org/tiny-bert, for cross-checks by hand
// with Python's huggingface_hub (make_expected_layout.py). Prints the endpoint, serves until
// stdin closes.
#include <iostream>
#include <string>

#include "hub/hub_env.h"

int main() {
    using namespace hfx::test;
    FakeHub hub;
    FakeRepo repo;
    std::string commit = commit_id("main");
    repo.refs["main"] = commit;
    repo.commits[commit] = tiny_bert_files();
    hub.add_repo("org/tiny-bert", repo);
    std::cout << hub.endpoint() << std::endl;
    std::string line;
    while (std::getline(std::cin, line)) {}
    return 0;
}
