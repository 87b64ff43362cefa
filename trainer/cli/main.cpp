// dibr: headless front end of DIB-R Studio (see docs/cli.md).
#include <CLI/CLI.hpp>

#include <csignal>
#include <exception>
#include <iostream>
#include <vector>

#include "trainer/cli/commands.h"
#include "trainer/cli/common.h"
#include "trainer/error_text.h"

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f, quotas) then fails the write with EFBIG, which becomes a message, instead of
  // killing the process mid-checkpoint.
  std::signal(SIGXFSZ, SIG_IGN);
  dibr::cli::set_program_arguments(argc, argv);
  CLI::App app{"dibr: single-image 3D mesh reconstruction with the DIB-R renderer.\n"
               "Workflow: make-sample (optional) -> check-data (optional) -> train -> eval -> chamfer. See docs/cli.md."};
  app.name("dibr");
  app.require_subcommand(1, 1);
  app.fallthrough(false);

  const std::vector<dibr::cli::Command> commands = {
      dibr::cli::add_make_sample_command(app),
      dibr::cli::add_train_command(app),
      dibr::cli::add_eval_command(app),
      dibr::cli::add_chamfer_command(app),
      dibr::cli::add_compare_command(app),
      dibr::cli::add_check_data_command(app),
      dibr::cli::add_reconstruct_command(app),
      dibr::cli::add_validate_command(app),
  };

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }

  for (const auto& command : commands) {
    if (!command.app->parsed()) continue;
    try {
      return command.run();
    } catch (const std::exception& e) {
      std::cerr << "dibr " << command.app->get_name() << ": error: " << dibr::error_text(e) << "\n";
      return 1;
    }
  }
  return 1;  // unreachable: require_subcommand(1, 1)
}
