"""``mplat completion bash|zsh|fish``: completion scripts generated from the argparse parser (so
a new command or option completes without editing this file)."""
from __future__ import annotations


def _bash(commands: dict) -> str:
    top_opts, top = commands[""]
    cases = []
    for name, (opts, subs) in sorted(commands.items()):
        if not name:
            continue
        words = " ".join(subs + opts)
        cases.append(f'    "{name}") words="{words}" ;;')
    return "\n".join([
        "# mplat completion for bash: source it, or save it as",
        "# ~/.local/share/bash-completion/completions/mplat",
        "_mplat() {",
        '  local cur="${COMP_WORDS[COMP_CWORD]}" cmd="" i words',
        "  for ((i = 1; i < COMP_CWORD; i++)); do",
        '    case "${COMP_WORDS[i]}" in -*) ;; *) cmd="${cmd:+$cmd }${COMP_WORDS[i]}" ;; esac',
        "  done",
        '  case "$cmd" in',
        f'    "") words="{" ".join(top + top_opts)}" ;;',
        *cases,
        '    *) words="" ;;',
        "  esac",
        '  if [[ -z "$cmd" || "$cur" == -* ]]; then',
        '    COMPREPLY=($(compgen -W "$words" -- "$cur"))',
        "  else",
        '    COMPREPLY=($(compgen -W "$words" -- "$cur") $(compgen -f -- "$cur"))',
        "  fi",
        "}",
        "complete -o filenames -F _mplat mplat",
    ])


def _zsh(commands: dict) -> str:
    return "\n".join([
        "#compdef mplat",
        "# mplat completion for zsh (through zsh's bash completion support): source it from",
        "# ~/.zshrc, or save it as _mplat in a directory of $fpath",
        "autoload -U +X bashcompinit && bashcompinit",
        _bash(commands),
    ])


def _fish(commands: dict) -> str:
    lines = ["# mplat completion for fish: save it as ~/.config/fish/completions/mplat.fish"]
    _, top = commands[""]
    for name in top:
        lines.append(f"complete -c mplat -f -n __fish_use_subcommand -a {name}")
    for name, (opts, subs) in sorted(commands.items()):
        if not name:
            continue
        words = name.split()
        cond = " && ".join(f"__fish_seen_subcommand_from {w}" for w in words)
        for sub in subs:
            lines.append(f"complete -c mplat -f -n '{cond}' -a {sub}")
        for opt in opts:
            if opt.startswith("--"):
                lines.append(f"complete -c mplat -n '{cond}' -l {opt[2:]}")
            elif opt.startswith("-") and len(opt) == 2:
                lines.append(f"complete -c mplat -n '{cond}' -s {opt[1:]}")
    lines.append("complete -c mplat -l version -d \"mplat's version\"")
    return "\n".join(lines)


def script(shell: str, commands: dict) -> str:
    return {"bash": _bash, "zsh": _zsh, "fish": _fish}[shell](commands)
