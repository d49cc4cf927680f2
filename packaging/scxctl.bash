# bash completion for scxctl(8)
_scxctl()
{
	local cur prev words cword
	_init_completion || return
	local cmds="validate apply confirm status get-config start stop explain topology metrics version"
	local globals="--socket --json --no-color --help --version"
	local i cmd=""
	for ((i = 1; i < cword; i++)); do
		case "${words[i]}" in
		--socket) ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; break ;;
		esac
	done
	if [[ -z $cmd ]]; then
		case $prev in
		--socket) _filedir; return ;;
		esac
		COMPREPLY=($(compgen -W "$cmds $globals" -- "$cur"))
		return
	fi
	case $cmd in
	validate)
		case $prev in --nodes|--cpus) return ;; esac
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--nodes --cpus --strict --help" -- "$cur")) || _filedir json
		;;
	apply)
		case $prev in --confirm) return ;; esac
		[[ $cur == -* ]] && COMPREPLY=($(compgen -W "--dry-run --confirm --agent-topology --help" -- "$cur")) || _filedir json
		;;
	status) COMPREPLY=($(compgen -W "--watch --help" -- "$cur")) ;;
	explain) [[ $cur == -* ]] || COMPREPLY=($(compgen -W "$(command ls /proc 2>/dev/null | grep -E '^[0-9]+$')" -- "$cur")) ;;
	esac
}
complete -F _scxctl scxctl
