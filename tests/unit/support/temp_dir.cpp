#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "tests/unit/support/run_coro.hpp"

namespace hub::testing {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "cohorthub-unit-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
  path = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

}  // namespace hub::testing
