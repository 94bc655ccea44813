"""Theory exams (EXAMS.md): the question bank, each trade's exam with its sealed papers, the
entrants' answers and the judges' marks of short items."""
