# Removes the empty paragraphs scdoc 1.11 emits (".P" right after ".SH", before ".SH", or just
# before ".RE"), which mandoc -Tlint reports as warnings. A ".P" before ".RE" moves after it,
# so the blank line between list items stays.
function is_heading(l) { return l ~ /^\.(SH|SS|TH)( |$)/ }
{
  line = $0
  if (line == ".P" || line == ".PP") {
    if (!is_heading(last) && last != ".P")
      pending = 1
    next
  }
  if (pending) {
    if (line == ".RE") {
      print line
      last = line
      next
    }
    if (!is_heading(line))
      print ".P"
    pending = 0
  }
  print line
  last = line
}
