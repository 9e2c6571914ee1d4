"""One module per dialog; thin: parse input, call the domain, render the reply."""
