// mnisttrain's entry point: hands the command line to cli/.
#include "cli/app.h"

int main(int argc, char** argv) { return mnisttrain::cli::run(argc, argv); }
