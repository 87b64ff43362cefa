#pragma once
// The `dibr` subcommands. Each add_*_command registers its options on the parent app and returns
// the function main() calls when that subcommand was chosen (its exit code).
#include <CLI/CLI.hpp>

#include <functional>

namespace dibr::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;
};

Command add_make_sample_command(CLI::App& parent);
Command add_train_command(CLI::App& parent);
Command add_eval_command(CLI::App& parent);
Command add_chamfer_command(CLI::App& parent);
Command add_compare_command(CLI::App& parent);
Command add_check_data_command(CLI::App& parent);
Command add_reconstruct_command(CLI::App& parent);
Command add_validate_command(CLI::App& parent);

}  // namespace dibr::cli
