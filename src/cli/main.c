/*
 * main.c - `karta COMMAND [options]`: finds --data anywhere on the line,
 * dispatches to the command that registered the word (see cli.h).
 */
#include "cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_word(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void usage(FILE *f) {
    size_t ncommands;
    kt_cli_command *commands = kt_cli_commands(&ncommands);
    fprintf(f, "usage: karta [--data DIR] COMMAND [options]   (karta COMMAND --help for more)\ncommands:\n");
    qsort(commands, ncommands, sizeof commands[0], by_word);
    for (size_t i = 0; i < ncommands; i++) fprintf(f, "  %-12s %s\n", commands[i].word, commands[i].summary);
}

int main(int argc, char **argv) {
    /* Take --data DIR / --data=DIR out of argv wherever it is (before "--"). */
    int n = 0;
    bool rest = false;
    for (int i = 0; i < argc; i++) {
        if (!rest && i > 0 && strcmp(argv[i], "--") == 0) rest = true;
        if (!rest && strcmp(argv[i], "--data") == 0) {
            if (i + 1 >= argc) { fprintf(stderr, "karta: usage: --data: option --data needs a value\n"); return 2; }
            kt_cli_set_data_dir(argv[++i]);
            continue;
        }
        if (!rest && strncmp(argv[i], "--data=", 7) == 0) { kt_cli_set_data_dir(argv[i] + 7); continue; }
        argv[n++] = argv[i];
    }
    argc = n;
    argv[argc] = NULL;
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    size_t ncommands;
    kt_cli_command *commands = kt_cli_commands(&ncommands);
    for (size_t i = 0; i < ncommands; i++)
        if (strcmp(commands[i].word, argv[1]) == 0) return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "karta: usage: %s: unknown command\n", argv[1]);
    usage(stderr);
    return 2;
}
