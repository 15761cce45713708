# bench/tps.gp: grouped bars of transactions per second per scenario.
# gnuplot -e "datafile='...'; outfile='...'; subtitle='...'" bench/tps.gp
# datafile columns: scenario, plain, hubroute, handwritten ('?' = not run).
set terminal pngcairo noenhanced size 1400,650 font 'sans,10'
set output outfile
set title "hubroute benchmark: transactions per second (one INSERT each)\n".subtitle
set datafile missing '?'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set key outside top center horizontal
set grid ytics
set ylabel 'tps'
set yrange [0:*]
set xtics rotate by 30 right nomirror
plot datafile using 2:xtic(1) title 'plain' linecolor rgb '#8c8c8c', \
     ''       using 3 title 'hubroute' linecolor rgb '#1f77b4', \
     ''       using 4 title 'handwritten' linecolor rgb '#ff7f0e'
